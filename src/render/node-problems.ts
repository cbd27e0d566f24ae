import type { NodeProblem } from "../model/expiry-report.js";
import { renderProblemsText } from "./diagnostics-text.js";
import { code, num, text } from "./markdown-escape.js";
import type { Palette } from "./palette.js";

/** Nodes that could not be read, as expiry and list end with them (their objects are missing from the report). */
export function nodeProblemsText(problems: readonly NodeProblem[], c: Palette): string {
  return problems.length === 0 ? "" : `\n${renderProblemsText(problems.map((p) => ({ ...p, address: `environments.${p.environment}` })), c)}`;
}

export function nodeProblemsMarkdown(problems: readonly NodeProblem[]): string {
  if (problems.length === 0) return "";
  return `\n#### ❌ ${num(problems.length)} node${problems.length === 1 ? "" : "s"} could not be read\n\n${problems.map((p) => `- ${code(p.node)} (${code(p.environment)}): ${text(p.message)}`).join("\n")}\n`;
}
