export { planChanges, type PlanInput } from "./plan-changes.js";
export { fetchLiveState } from "./fetch-live.js";
export { savePlan, loadPlan, readPlanFileText } from "./plan-file.js";
export type { PlanProblem } from "./diff-node.js";
export { makePlan, planPaths, type MakePlanOptions, type PlanFailure } from "./make-plan.js";
export { readForPlan, type StackRead } from "./stack-read.js";
export { liveChain } from "./chain-cache.js";
