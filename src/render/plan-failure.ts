import type { PlanFailure } from "../plan/index.js";
import { renderDiagnosticsMarkdown } from "./diagnostics-markdown.js";
import { renderDiagnosticsText, renderProblemsText } from "./diagnostics-text.js";
import { code, text } from "./markdown-escape.js";
import type { Palette } from "./palette.js";
import { renderPolicyExceptionsMarkdown } from "./plan-markdown.js";
import { renderPolicyExceptionsText } from "./policy-exceptions-text.js";

/** `certform plan` when there is no plan: every diagnostic and problem, and that nothing changed. */
export function renderPlanFailureText(failed: PlanFailure, c: Palette): string {
  return `${renderDiagnosticsText(failed.diagnostics, c)}${renderProblemsText(failed.problems, c)}${renderPolicyExceptionsText(failed.policyExceptions, c)}${c.red("No plan: fix the errors above. Nothing was changed on any gateway.\n")}`;
}

/** `plan --format json` when there is no plan. */
export function planFailureJson(failed: PlanFailure): { error: { code: string; message: string }; errors: unknown[]; policy_exceptions?: unknown[] } {
  return { error: { code: failed.problems[0]?.code ?? "invalid-stack", message: "no plan: see errors" }, errors: [...failed.diagnostics, ...failed.problems], ...(failed.policyExceptions ? { policy_exceptions: failed.policyExceptions } : {}) };
}

/**
 * `plan --format markdown` when there is no plan: the pull-request comment says why (an expiring certificate
 * inside alerts.criticalBefore, a node down …) instead of leaving the last plan standing.
 */
export function renderPlanFailureMarkdown(failed: PlanFailure): string {
  const title = "certform plan: no plan";
  const diagnostics = failed.diagnostics.length > 0 || failed.problems.length === 0 ? renderDiagnosticsMarkdown(title, failed.diagnostics) : `### ❌ ${text(title)}\n`;
  const problems = failed.problems.map((p) => `- ${code(p.code)} ${code(p.address)}: ${text(p.message)} (${text(p.hint)})`).join("\n");
  const exceptions = renderPolicyExceptionsMarkdown(failed.policyExceptions);
  return `${diagnostics}${problems ? `\n${problems}\n` : ""}${exceptions ? `\n${exceptions}` : ""}\nNothing was changed on any gateway.\n`;
}
