import type { Diagnostic } from "../model/index.js";
import { formatPosition } from "../model/index.js";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** Diagnostics as a Markdown table, for a pull-request comment. */
export function renderDiagnosticsMarkdown(title: string, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const head = `### ${errors === 0 ? "✅" : "❌"} ${cell(title)}\n\n${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}.\n`;
  if (diagnostics.length === 0) return head;
  const rows = diagnostics.map(
    (d) => `| ${d.severity === "error" ? "error" : "warning"} | \`${cell(formatPosition(d))}\` | ${d.address ? `\`${cell(d.address)}\`` : ""} | \`${d.code}\` | ${cell(d.message)} | ${cell(d.hint)} |`,
  );
  return `${head}\n| | where | address | code | problem | fix |\n|---|---|---|---|---|---|\n${rows.join("\n")}\n`;
}
