import type { ExpiryCertificate, ExpiryReport } from "../model/expiry-report.js";
import { expirySummary, KIND_WORD } from "./expiry-text.js";
import { code, num, text } from "./markdown-escape.js";
import { nodeProblemsMarkdown } from "./node-problems.js";

// `certform expiry --format markdown`: for an issue or a pull-request comment. A table, then the validity
// windows as a Mermaid gantt chart, which GitHub renders (today is its marker line).

/** Rows past these are summarised: GitHub refuses comments past 65,536 characters, and a gantt of hundreds is unreadable. */
const MAX_ROWS = 300;
const MAX_BARS = 40;

const ICON: Record<ExpiryCertificate["status"], string> = { Expired: "⛔", Critical: "🔴", Warning: "🟡", NotYetValid: "⏳", Active: "🟢" };
const TAGS: Record<ExpiryCertificate["status"], string> = { Expired: "crit, done, ", Critical: "crit, ", Warning: "active, ", NotYetValid: "", Active: "" };

function tableRow(r: ExpiryCertificate): string {
  const cell = (s: string) => (s ? code(s, "cell") : "");
  return `| ${ICON[r.status]} ${r.status} | ${r.daysLeft} | ${r.notAfter.slice(0, 10)} | ${cell(r.environment)} | ${KIND_WORD[r.kind]} | ${cell(r.name)} | ${cell(r.alias ?? "")} | ${r.hosts.map((h) => code(h, "cell")).join(", ")} | ${r.owner ? cell(r.owner) : "_foreign_"} | ${r.nodes.map((n) => code(n, "cell")).join(", ")} |`;
}

/** Mermaid's gantt syntax gives `:`, `#`, `;` and line ends a meaning: names keep none of them. */
const mermaidName = (s: string) => s.replace(/[:#;\r\n\u0000-\u001f]/g, " ").replace(/\s+/g, " ").trim() || "-";
const day = (iso: string) => iso.slice(0, 10);

function gantt(report: ExpiryReport): string {
  const bars = report.certificates.slice(0, MAX_BARS);
  if (bars.length === 0) return "";
  const lines = ["```mermaid", "gantt", `  title Validity of the certificates (today ${day(report.generated_at)})`, "  dateFormat YYYY-MM-DD", "  axisFormat %Y-%m-%d"];
  for (const env of report.environments) {
    const mine = bars.map((r, i) => ({ r, i })).filter(({ r }) => r.environment === env.name);
    if (mine.length === 0) continue;
    lines.push(`  section ${mermaidName(env.name)}`);
    for (const { r, i } of mine) {
      const start = day(r.notBefore ?? report.generated_at);
      const end = day(r.notAfter) > start ? day(r.notAfter) : start;
      lines.push(`  ${mermaidName(`${r.name}${r.alias && r.alias !== r.name ? ` (${r.alias})` : ""} ${KIND_WORD[r.kind]}`)} :${TAGS[r.status]}c${i}, ${start}, ${end}`);
    }
  }
  lines.push("```");
  const more = report.certificates.length - bars.length;
  return `${lines.join("\n")}\n${more > 0 ? `\nThe chart shows the ${num(bars.length)} most urgent; ${num(more)} more are in the table.\n` : ""}`;
}

export function renderExpiryMarkdown(report: ExpiryReport): string {
  const urgent = report.inside > 0;
  const parts = [`### ${urgent ? "⚠️" : "✅"} certform expiry: ${code(report.stack)}\n\n`, `**${text(expirySummary(report))}** Alerts: warnBefore ${code(report.alerts.warnBefore)}, criticalBefore ${code(report.alerts.criticalBefore)}.\n\n`];
  if (report.certificates.length > 0) {
    const rows = report.certificates.slice(0, MAX_ROWS).map(tableRow);
    if (report.certificates.length > MAX_ROWS) rows.push(`| … and ${num(report.certificates.length - MAX_ROWS)} more; run \`certform expiry\` for all | | | | | | | | | |`);
    parts.push(`| status | days left | not after | environment | kind | name | alias | hosts | owner | nodes |\n|---|--:|---|---|---|---|---|---|---|---|\n${rows.join("\n")}\n\n`);
    parts.push(gantt(report));
  } else parts.push("No certificates to list.\n");
  parts.push(nodeProblemsMarkdown(report.problems));
  return parts.join("");
}
