export { planChanges, type PlanInput } from "./plan-changes.js";
export { fetchLiveState } from "./fetch-live.js";
export { savePlan, loadPlan } from "./plan-file.js";
export type { PlanProblem } from "./diff-node.js";
export { makePlan, type PlanFailure } from "./make-plan.js";
export { providersFor, providerForEnvironment } from "./providers.js";
