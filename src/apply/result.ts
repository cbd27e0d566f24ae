// The apply result is published (schemas/apply.schema.json): its types come from the model.
export type { ApplyResult, OperationOutcome, OperationState } from "../model/apply-report.js";
export type { VerificationProblem } from "../verify/types.js";
