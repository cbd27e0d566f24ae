import type { PlannedOperationValue } from "../model/plan.js";

export type OperationState = "applied" | "failed" | "not-applied";

/** What happened to one planned write on one node. */
export interface OperationOutcome {
  environment: string;
  node: string;
  address: string;
  op: PlannedOperationValue["op"];
  collection: PlannedOperationValue["collection"];
  name: string;
  state: OperationState;
  error?: string;
}

export type { VerificationProblem } from "../verify/types.js";
import type { VerificationProblem } from "../verify/types.js";

/** What apply did: exactly which operations were applied, failed or not applied, and what verification found. */
export interface ApplyResult {
  ok: boolean;
  stack: string;
  summary: { created: number; updated: number; replaced: number; deleted: number };
  operations: OperationOutcome[];
  verification: VerificationProblem[];
  /** Set when apply stopped: the first failure, in words. */
  error?: string;
}
