import type { Diagnostic } from "../model/index.js";
import type { Plan } from "../model/plan.js";
import { readStack, type DesiredState } from "../stack/index.js";
import type { PlanProblem } from "./diff-node.js";
import { captureBackends } from "./fetch-backends.js";
import { fetchLiveState } from "./fetch-live.js";
import { planChanges, type PlanInput } from "./plan-changes.js";

export interface PlanFailure {
  diagnostics: Diagnostic[];
  problems: PlanProblem[];
}

/** Load, check, read every node, diff: the plan, or why there is none. Shared by plan and apply. */
export async function makePlan(
  paths: string[],
  opts: { env?: string[]; prune: boolean; adopt?: boolean; version?: string; now?: Date; destroy?: boolean; checkBackends?: boolean },
): Promise<{ plan: Plan; state: DesiredState } | { failed: PlanFailure }> {
  const stack = await readStack(paths, { requireGatewayEnv: true, ...(opts.env ? { environments: opts.env } : {}) });
  const errors = stack.diagnostics.filter((d) => d.severity === "error");
  if (!stack.state || errors.length > 0) return { failed: { diagnostics: stack.diagnostics, problems: [] } };
  const { live, problems: readProblems } = await fetchLiveState(stack.state);
  if (readProblems.length > 0) return { failed: { diagnostics: [], problems: readProblems } };
  // destroy: the same stack with nothing declared, so that everything it owns is planned for deletion.
  const state = opts.destroy
    ? { ...stack.state, environments: stack.state.environments.map((e) => ({ ...e, certificates: [], trustedCertificates: [], endpoints: [], trustAssignments: [], jwks: [] })) }
    : stack.state;
  const input: PlanInput = {
    state,
    live,
    warnings: stack.diagnostics.filter((d) => d.severity === "warning"),
    options: { prune: opts.destroy ? true : opts.prune, adopt: opts.adopt ?? false, environments: opts.env ?? null },
    stackPaths: paths,
    now: opts.now ?? new Date(),
    version: opts.version ?? "0.0.0",
  };
  let { plan, problems, unchecked } = planChanges(input);
  // Backends are looked at only where an endpoint's trust shrinks, then the plan is made again with what they showed.
  if (problems.length === 0 && unchecked.length > 0 && opts.checkBackends !== false) {
    ({ plan, problems } = planChanges({ ...input, backends: await captureBackends(unchecked) }));
  }
  if (problems.length > 0) return { failed: { diagnostics: [], problems } };
  // The state the plan was made from (material read, keys included): apply takes its keys from it.
  return { plan, state: stack.state };
}
