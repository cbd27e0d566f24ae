import type { ApplyResult } from "../model/apply-report.js";
import type { Plan } from "../model/plan.js";
import type { VerifyProblem } from "../model/verify-report.js";
import type { PlanFailure } from "../plan/index.js";

/**
 * How an apply (or destroy) ended, as its views need it: the outcome src/apply returns is one of these
 * (render comes before apply, so the view names only what it reads).
 */
export type ApplyOutcomeView =
  | { kind: "failed-plan"; failed: PlanFailure }
  | { kind: "stale"; reasons: readonly string[] }
  | { kind: "declined" }
  | { kind: "no-changes"; plan: Pick<Plan, "stack" | "environments">; verification: VerifyProblem[] }
  | { kind: "applied"; result: ApplyResult };

/** An apply that ended by an error instead of an outcome: a held lock, or anything else. */
export type ApplyErrorView = { kind: "locked"; message: string; environment: string; holder: string; since: string } | { kind: "error"; message: string };

/** renew is an apply of one renewal, and reads as one. */
export type ApplyCommand = "apply" | "destroy" | "renew";

/** Whether the run succeeded, by the outcome alone: what the exit code follows. */
export function applySucceeded(outcome: ApplyOutcomeView): boolean {
  if (outcome.kind === "no-changes") return outcome.verification.length === 0;
  if (outcome.kind === "applied") return outcome.result.ok;
  return false;
}
