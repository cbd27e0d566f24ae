import type { Diagnostic } from "../model/index.js";
import { formatPosition } from "../model/index.js";
import { renderDiagnosticLine } from "./diagnostic-line.js";
import type { Palette } from "./palette.js";

/** `file:line:column: error[code] message` and its hint, as compilers print them. */
export function renderDiagnosticsText(diagnostics: readonly Diagnostic[], c: Palette): string {
  return diagnostics
    .map((d) => renderDiagnosticLine({ severity: d.severity, code: d.code, at: formatPosition(d), message: d.message, hint: d.hint, see: (d.related ?? []).map(formatPosition) }, c))
    .join("");
}

/** Problems found on gateways or in a bundle, which have no place in a file: `error[code] address: message` and its hint. */
export function renderProblemsText(problems: readonly { code: string; message: string; hint: string; address?: string }[], c: Palette): string {
  return problems.map((p) => renderDiagnosticLine({ code: p.code, message: p.address === undefined ? p.message : `${p.address}: ${p.message}`, hint: p.hint }, c)).join("");
}
