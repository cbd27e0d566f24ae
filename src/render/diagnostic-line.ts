import type { Palette } from "./palette.js";

/** One problem as every command prints it: `[place: ]error[code] message`, its details, `hint:` and related places. */
export interface DiagnosticLine {
  severity?: "error" | "warning";
  /** Printed as `error[code]`; without one, the label is just `error`. */
  code?: string;
  /** Where, e.g. file:line:column; printed first, in bold. */
  at?: string;
  message: string;
  /** Lines under the message, each as `  - detail`. */
  details?: readonly string[];
  hint?: string;
  /** Other places involved, each as `  see place`. */
  see?: readonly string[];
}

export function renderDiagnosticLine(d: DiagnosticLine, c: Palette): string {
  const at = d.at === undefined ? "" : `${c.bold(d.at)}: `;
  const details = (d.details ?? []).map((x) => `  - ${x}\n`).join("");
  const hint = d.hint === undefined ? "" : `  ${c.dim("hint:")} ${d.hint}\n`;
  const see = (d.see ?? []).map((s) => `  ${c.dim("see")} ${s}\n`).join("");
  return `${at}${problemLabel(d, c)} ${d.message}\n${details}${hint}${see}`;
}

/** `error[code]` in red, `warning[code]` in yellow: the label alone, for reports laid out otherwise. */
export function problemLabel(d: Pick<DiagnosticLine, "severity" | "code">, c: Palette): string {
  const word = d.severity ?? "error";
  const label = d.code === undefined ? word : `${word}[${d.code}]`;
  return word === "warning" ? c.yellow(label) : c.red(label);
}
