import type { Diagnostic } from "../model/index.js";
import { formatPosition } from "../model/index.js";
import type { Palette } from "./palette.js";

/** `file:line:column: error[code] message` and its hint, as compilers print them. */
export function renderDiagnosticsText(diagnostics: readonly Diagnostic[], c: Palette): string {
  return diagnostics
    .map((d) => {
      const label = d.severity === "error" ? c.red(`error[${d.code}]`) : c.yellow(`warning[${d.code}]`);
      const related = (d.related ?? []).map((r) => `\n  ${c.dim("see")} ${formatPosition(r)}`).join("");
      return `${c.bold(formatPosition(d))}: ${label} ${d.message}\n  ${c.dim("hint:")} ${d.hint}${related}\n`;
    })
    .join("");
}
