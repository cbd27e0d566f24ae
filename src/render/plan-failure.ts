import type { PlanFailure } from "../plan/index.js";
import { renderDiagnosticsText, renderProblemsText } from "./diagnostics-text.js";
import type { Palette } from "./palette.js";

/** `certform plan` when there is no plan: every diagnostic and problem, and that nothing changed. */
export function renderPlanFailureText(failed: PlanFailure, c: Palette): string {
  return `${renderDiagnosticsText(failed.diagnostics, c)}${renderProblemsText(failed.problems, c)}${c.red("No plan: fix the errors above. Nothing was changed on any gateway.\n")}`;
}

/** `plan --format json` when there is no plan. */
export function planFailureJson(failed: PlanFailure): { error: { code: string; message: string }; errors: unknown[] } {
  return { error: { code: failed.problems[0]?.code ?? "invalid-stack", message: "no plan: see errors" }, errors: [...failed.diagnostics, ...failed.problems] };
}
