import type { ApplyFailure, ApplyReport } from "../model/apply-report.js";
import type { ApplyErrorView, ApplyOutcomeView } from "./apply-outcome.js";

/** `apply --format json` once apply has ended: the ApplyResult, or why nothing was written (schemas/apply.schema.json). */
export function applyJson(outcome: ApplyOutcomeView): ApplyReport {
  switch (outcome.kind) {
    case "failed-plan":
      return { ok: false, error: { code: "no-plan", message: "the stack or the gateways could not be planned" }, errors: [...outcome.failed.diagnostics, ...outcome.failed.problems] };
    case "stale":
      return { ok: false, error: { code: "stale-plan", message: outcome.reasons.join("; ") } };
    case "declined":
      return { ok: false, error: { code: "declined", message: "not approved" } };
    case "no-changes": {
      const problems = outcome.verification;
      const ok = problems.length === 0;
      return { ok, stack: outcome.plan.stack, summary: { created: 0, updated: 0, replaced: 0, deleted: 0 }, operations: [], verification: problems, ...(ok ? {} : { error: `verification failed: ${problems[0]!.message}` }) };
    }
    case "applied":
      return outcome.result;
  }
}

export function applyErrorJson(error: ApplyErrorView): ApplyFailure {
  if (error.kind === "locked") return { ok: false, error: { code: "locked", message: error.message, holder: error.holder, since: error.since } };
  return { ok: false, error: { code: "apply-failed", message: error.message } };
}
