import type { Diagnostic } from "../model/index.js";
import type { DesiredState } from "../stack/index.js";
import { renderDiagnosticsText } from "./diagnostics-text.js";
import type { Palette } from "./palette.js";
import { renderPolicyExceptionsText } from "./policy-exceptions-text.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `certform validate` for a terminal: every diagnostic, then whether the stack is valid and what it holds. */
export function renderValidateText(diagnostics: readonly Diagnostic[], state: DesiredState | undefined, c: Palette): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = plural(diagnostics.filter((d) => d.severity === "warning").length, "warning");
  let summary: string;
  if (errors > 0 || !state) summary = c.red(`Invalid: ${plural(errors, "error")}, ${warnings}.\n`);
  else {
    const resources = state.environments.reduce((n, e) => n + e.certificates.length + e.trustedCertificates.length + e.endpoints.length + e.trustAssignments.length + e.jwks.length, 0);
    summary = c.green(`Stack ${state.stack} is valid: ${plural(state.environments.length, "environment")}, ${resources} resource instances, ${warnings}.\n`);
  }
  return `${renderDiagnosticsText(diagnostics, c)}${renderPolicyExceptionsText(state?.policyExceptions, c)}${summary}`;
}
