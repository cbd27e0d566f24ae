import { hasChanges, type Plan } from "../model/plan.js";
import { loadPlan, makePlan, readForPlan, type PlanFailure, type StackRead } from "../plan/index.js";
import { providersFor } from "../providers/for-environment.js";
import type { Provider } from "../providers/provider.js";
import { executePlan, type ProgressEvent } from "./execute.js";
import { addAcmeAccountKeys } from "./acme-account.js";
import { keysForPlan, StalePlanError } from "./keys.js";
import { lockEnvironments, lockHolderName } from "./locks.js";
import { policyFilesForSavedPlan, stalePolicyFiles } from "./policy-files.js";
import { verifyAppliedEnvironment } from "../verify/applied.js";
import type { ApplyResult, VerificationProblem } from "./result.js";
import type { ApplyCommand } from "../render/apply-outcome.js";
import type { EnvironmentState } from "../stack/index.js";

export interface ApplyUi {
  /** Shows the plan and asks for approval; false stops apply (nothing written). */
  approve(plan: Plan): Promise<boolean>;
  progress(event: ProgressEvent): void;
}

export interface ApplyFlowOptions {
  env?: string[];
  /** --policy files checked with the stack's own policies. */
  policy?: string[];
  prune: boolean;
  adopt?: boolean;
  parallelism: number;
  verify: boolean;
  version: string;
  /** destroy: plan the deletion of everything the stack owns. */
  destroy?: boolean;
  command: ApplyCommand;
  /** renew: the address of the generated certificate to renew; the plan is just that renewal. */
  renew?: string;
  /** Called with the lock release, so that Ctrl-C can release it too. */
  onLocked?: (release: () => Promise<void>) => void;
}

export type ApplyOutcome =
  | { kind: "failed-plan"; failed: PlanFailure }
  | { kind: "stale"; reasons: string[] }
  | { kind: "declined"; plan: Plan }
  | { kind: "no-changes"; plan: Plan; verification: VerificationProblem[] }
  | { kind: "applied"; plan: Plan; result: ApplyResult };

/**
 * `apply PATH…`: takes every node's lock first, then plans, shows, asks, applies, verifies and releases, so
 * the plan a user approves is the plan that runs. `apply PLANFILE`: takes the locks, then refuses the plan
 * if any node's revision, any source or any --policy file it was checked against changed since it was made.
 * Either way the stack is read once, here: locking, planning, the keys and verification all take that state.
 */
export async function applyFlow(source: { paths: string[] } | { planFile: string }, opts: ApplyFlowOptions, ui: ApplyUi): Promise<ApplyOutcome> {
  const saved = "planFile" in source ? loadPlan(source.planFile) : undefined;
  const paths = saved ? saved.stack_paths : (source as { paths: string[] }).paths;
  const envFilter = saved ? (saved.options.environments ?? undefined) : opts.env;
  // A saved plan is checked against the policy files it was made with, and any given now.
  const policy = saved ? policyFilesForSavedPlan(saved, opts.policy) : opts.policy;
  // url: sources are captured now: for a new plan at plan time, for a saved one to check them against it.
  const read = await readForPlan(paths, { ...(envFilter ? { env: envFilter } : {}), ...(opts.destroy ? { destroy: true } : {}), ...(policy?.length ? { policy } : {}) });
  if ("failed" in read) return { kind: "failed-plan", failed: read.failed };
  const { state } = read.stack;
  const providers = providersFor(state);
  try {
    const locks = await lockEnvironments(
      state.environments.map((e) => ({ name: e.name, provider: providers.get(e.name)!, nodes: e.spec.gateway.nodes })),
      lockHolderName(opts.command),
      opts.command,
    );
    opts.onLocked?.(locks.release);
    try {
      return await lockedApply(read.stack, saved, providers, locks.holder, opts, ui);
    } finally {
      await locks.release();
    }
  } finally {
    for (const p of providers.values()) p.close?.();
  }
}

/** Everything apply does while it holds the locks. */
async function lockedApply(stack: StackRead, saved: Plan | undefined, providers: ReadonlyMap<string, Provider>, lockHolder: string, opts: ApplyFlowOptions, ui: ApplyUi): Promise<ApplyOutcome> {
  const { state } = stack;
  let plan: Plan;
  if (saved) {
    const stale = [...(await staleNodes(saved, providers)), ...stalePolicyFiles(saved, stack.policyFiles)];
    if (stale.length > 0) return { kind: "stale", reasons: stale };
    plan = saved;
  } else {
    const made = await makePlan(stack, { prune: opts.prune, version: opts.version, providers, ...(opts.adopt ? { adopt: true } : {}), ...(opts.destroy ? { destroy: true } : {}), ...(opts.renew !== undefined ? { renew: opts.renew } : {}) });
    if ("failed" in made) return { kind: "failed-plan", failed: made.failed };
    plan = made.plan;
  }
  // Checked against the stack over TLS even when nothing is written: a node serving the wrong
  // certificate is never reported as fine. destroy declares nothing, so it has nothing to check.
  const verify =
    opts.verify && opts.command !== "destroy"
      ? (env: Plan["environments"][number]) => {
          const declared = state.environments.find((e) => e.name === env.name);
          if (!declared) return Promise.resolve([]);
          // renew writes one certificate and its JWKs: what else the stack has pending is plan's to show, not a failed renewal.
          const checked = opts.renew !== undefined ? only(declared, new Set(plan.resource_changes.map((c) => c.address))) : declared;
          return verifyAppliedEnvironment(checked, providers.get(env.name)!, state.stack);
        }
      : undefined;
  if (!hasChanges(plan)) {
    const verification = verify ? (await Promise.all(plan.environments.map(verify))).flat() : [];
    return { kind: "no-changes", plan, verification };
  }
  if (!saved && !(await ui.approve(plan))) return { kind: "declined", plan };
  let keys;
  try {
    keys = keysForPlan(plan, state);
  } catch (err) {
    if (err instanceof StalePlanError) return { kind: "stale", reasons: err.reasons };
    throw err;
  }
  await addAcmeAccountKeys(plan, state, keys);
  const result = await executePlan(plan, {
    providers,
    keys,
    lockHolder,
    parallelism: opts.parallelism,
    onProgress: ui.progress,
    ...(verify ? { verify } : {}),
  });
  return { kind: "applied", plan, result };
}

/** A saved plan is applied only to nodes still at the revision it was made against. */
async function staleNodes(plan: Plan, providers: ReadonlyMap<string, Provider>): Promise<string[]> {
  const reasons: string[] = [];
  for (const env of plan.environments) {
    const provider = providers.get(env.name);
    if (!provider) {
      reasons.push(`environment ${env.name} is no longer in the stack`);
      continue;
    }
    for (const n of env.nodes) {
      const live = await provider.read(n.node);
      if (live.revision !== n.revision) reasons.push(`${env.name}: node ${n.node} is at revision ${live.revision}, the plan was made at ${n.revision}`);
    }
  }
  return reasons;
}

/** The environment with only the instances at `addresses`. */
function only(env: EnvironmentState, addresses: ReadonlySet<string>): EnvironmentState {
  const keep = <T extends { address: string }>(list: T[]) => list.filter((i) => addresses.has(i.address));
  const { management, ...rest } = env;
  return { ...rest, ...(management && addresses.has(management.address) ? { management } : {}), certificates: keep(env.certificates), trustedCertificates: keep(env.trustedCertificates), endpoints: keep(env.endpoints), trustAssignments: keep(env.trustAssignments), jwks: keep(env.jwks) };
}
