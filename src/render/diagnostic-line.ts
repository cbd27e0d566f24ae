import { escapeControl } from "../model/control-chars.js";
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
  const at = d.at === undefined ? "" : `${c.bold(safe(d.at))}: `;
  const details = (d.details ?? []).map((x) => `  - ${safe(x)}\n`).join("");
  const hint = d.hint === undefined ? "" : `  ${c.dim("hint:")} ${safe(d.hint)}\n`;
  const see = (d.see ?? []).map((s) => `  ${c.dim("see")} ${safe(s)}\n`).join("");
  return `${at}${problemLabel(d, c)} ${safe(d.message)}\n${details}${hint}${see}`;
}

/**
 * Messages quote what users and certificates wrote through quoteValue, but a file name in a position or a
 * decoder's own words may still hold a control character: none reaches the terminal raw. Line breaks stay.
 */
const safe = (text: string): string => text.split("\n").map(escapeControl).join("\n");

/** `error[code]` in red, `warning[code]` in yellow: the label alone, for reports laid out otherwise. */
export function problemLabel(d: Pick<DiagnosticLine, "severity" | "code">, c: Palette): string {
  const word = d.severity ?? "error";
  const label = d.code === undefined ? word : `${word}[${d.code}]`;
  return word === "warning" ? c.yellow(label) : c.red(label);
}
