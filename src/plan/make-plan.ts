import type { Diagnostic } from "../model/index.js";
import type { Plan, PolicyExceptionValue } from "../model/plan.js";
import { withProviders } from "../providers/for-environment.js";
import type { Provider } from "../providers/provider.js";
import type { PlanProblem } from "./diff-node.js";
import { capabilityProblems } from "./capability-checks.js";
import { captureBackends } from "./fetch-backends.js";
import { fetchLiveState } from "./fetch-live.js";
import { planChanges, type PlanInput } from "./plan-changes.js";
import { renewalOnly, renewTargets } from "./renew-only.js";
import { readForPlan, type StackRead } from "./stack-read.js";

export interface PlanFailure {
  diagnostics: Diagnostic[];
  problems: PlanProblem[];
  /** Policy findings an except entry let pass: shown beside the errors, for the reviewer. */
  policyExceptions?: PolicyExceptionValue[];
}

export interface MakePlanOptions {
  prune: boolean;
  adopt?: boolean;
  version?: string;
  now?: Date;
  destroy?: boolean;
  checkBackends?: boolean;
  /** The providers to read the nodes with (apply's, which hold the locks); built here and closed after when not given. */
  providers?: ReadonlyMap<string, Provider>;
  /** `certform renew`: the address of a generated certificate; the plan is then just its renewal. */
  renew?: string;
}

/** Read every node, diff against the stack as read: the plan, or why there is none. Shared by plan and apply. */
export async function makePlan(stack: StackRead, opts: MakePlanOptions): Promise<{ plan: Plan } | { failed: PlanFailure }> {
  const { providers } = opts;
  const renewal = opts.renew === undefined ? undefined : renewTargets(stack.state, opts.renew);
  if (renewal && "problem" in renewal) return { failed: { diagnostics: [], problems: [renewal.problem] } };
  // What a gateway cannot hold fails the plan before any node is read (destroy declares nothing).
  const read = (p: ReadonlyMap<string, Provider>) => {
    const unsupported = opts.destroy ? [] : capabilityProblems(stack.state, p);
    return unsupported.length > 0 ? Promise.resolve({ live: new Map(), problems: unsupported }) : fetchLiveState(stack.state, p);
  };
  const { live, problems: readProblems } = providers ? await read(providers) : await withProviders(stack.state, read);
  if (readProblems.length > 0) return { failed: { diagnostics: [], problems: readProblems } };
  // destroy: the same stack with nothing declared, so that everything it owns is planned for deletion (and
  // no policy exception is in use).
  const { policyExceptions: _unused, ...declaredNothing } = stack.state;
  const state = opts.destroy
    ? { ...declaredNothing, environments: stack.state.environments.map((e) => ({ ...e, certificates: [], trustedCertificates: [], endpoints: [], trustAssignments: [], jwks: [] })) }
    : stack.state;
  const input: PlanInput = {
    state,
    live,
    warnings: stack.warnings,
    options: { prune: opts.destroy ? true : opts.prune, adopt: opts.adopt ?? false, environments: stack.environments },
    stackPaths: stack.paths,
    policyFiles: stack.policyFiles,
    now: opts.now ?? new Date(),
    version: opts.version ?? "0.0.0",
    ...(renewal ? { renew: renewal.addresses } : {}),
  };
  let { plan, problems, unchecked, errors } = planChanges(input);
  // Backends are looked at only where an endpoint's trust shrinks, then the plan is made again with what they showed.
  if (problems.length === 0 && unchecked.length > 0 && opts.checkBackends !== false) {
    ({ plan, problems, errors } = planChanges({ ...input, backends: await captureBackends(unchecked) }));
  }
  // renew: only what it replaces is judged; a certificate elsewhere in the stack inside criticalBefore is
  // another plan's business, and must not stop the renewal that may be the fix.
  const blocking = renewal ? errors.filter((e) => e.address !== undefined && e.address !== null && renewal.addresses.some((a) => e.address === a || e.address!.startsWith(`${a}[`))) : errors;
  if (problems.length > 0 || blocking.length > 0) return { failed: { diagnostics: blocking, problems } };
  return { plan: renewal ? renewalOnly(plan, renewal.addresses) : plan };
}

/** `plan PATH…`: reads the stack once and plans it. */
export async function planPaths(paths: string[], opts: MakePlanOptions & { env?: string[]; policy?: string[] }): Promise<{ plan: Plan } | { failed: PlanFailure }> {
  const read = await readForPlan(paths, { ...(opts.env ? { env: opts.env } : {}), ...(opts.policy ? { policy: opts.policy } : {}) });
  if ("failed" in read) return read;
  return makePlan(read.stack, opts);
}
