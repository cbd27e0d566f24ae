import type { Diagnostic } from "../model/index.js";
import type { PolicyExceptionValue } from "../model/plan.js";
import { renderDiagnosticsMarkdown } from "./diagnostics-markdown.js";
import { renderPolicyExceptionsMarkdown } from "./plan-markdown.js";

/** `certform validate --format markdown`: the diagnostics as a table, then the policy exceptions with their reasons, as plan's comment lists them. */
export function renderValidateMarkdown(stack: string | undefined, diagnostics: readonly Diagnostic[], exceptions: readonly PolicyExceptionValue[] | undefined): string {
  const title = stack ? `certform validate: stack ${stack}` : "certform validate";
  const listed = renderPolicyExceptionsMarkdown(exceptions);
  return `${renderDiagnosticsMarkdown(title, diagnostics)}${listed ? `\n${listed}` : ""}`;
}
