import { EXPIRY_STATUSES, type ExpiryCertificate, type ExpiryReport, type ExpiryStatus } from "../model/expiry-report.js";
import { durationSeconds } from "../model/index.js";
import { nodeProblemsText } from "./node-problems.js";
import type { Palette } from "./palette.js";
import { textTable } from "./text-table.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const KIND_WORD: Record<ExpiryCertificate["kind"], string> = { certificates: "certificate", trustedCertificates: "trusted" };

/** Red for what is critical or gone, yellow for what warns; the rest as is. */
export function statusColour(status: ExpiryStatus, c: Palette): (s: string) => string {
  if (status === "Expired" || status === "Critical") return c.red;
  if (status === "Warning") return c.yellow;
  return (s) => s;
}

/** The window line every view ends with: how many expire inside the window, by status. */
export function expirySummary(report: ExpiryReport): string {
  const window = `${report.within}${report.filtered ? "" : " (alerts.warnBefore)"}`;
  const inside = report.certificates.filter((r) => Date.parse(r.notAfter) - Date.parse(report.generated_at) <= durationSeconds(report.within) * 1000);
  const counts = EXPIRY_STATUSES.map((s) => [s, inside.filter((r) => r.status === s).length] as const).filter(([, n]) => n > 0);
  const what = inside.length === 0 ? `none expires within ${window}` : `${inside.length === 1 ? "1 expires" : `${inside.length} expire`} within ${window}: ${counts.map(([s, n]) => `${n} ${s}`).join(", ")}`;
  return `${plural(report.certificates.length, "certificate")}; ${what}.`;
}

/** `certform expiry` for a terminal or a CI log: one row per certificate, coloured by urgency. */
export function renderExpiryText(report: ExpiryReport, c: Palette): string {
  const head = `Stack ${c.bold(report.stack)}: certificates on ${plural(report.environments.length, "environment")} (alerts: warnBefore ${report.alerts.warnBefore}, criticalBefore ${report.alerts.criticalBefore})\n\n`;
  const rows = report.certificates.map((r) => [r.status, String(r.daysLeft), r.notAfter.slice(0, 10), r.environment, KIND_WORD[r.kind], r.name, r.alias ?? "", r.hosts.join(","), r.owner ?? "(foreign)", r.node]);
  const table = rows.length > 0 ? textTable(["STATUS", "DAYS", "NOT AFTER", "ENVIRONMENT", "KIND", "NAME", "ALIAS", "HOSTS", "OWNER", "NODE"], rows, (i, line) => statusColour(report.certificates[i]!.status, c)(line)) : "No certificates to list.\n";
  const problems = nodeProblemsText(report.problems, c);
  const summary = expirySummary(report);
  return `${head}${table}${problems}\n${report.inside > 0 ? c.yellow(summary) : c.green(summary)}\n`;
}

/** The `text` of the webhook body (Slack's field): a few plain lines, most urgent first. */
export function renderExpiryNotifyText(report: ExpiryReport, limit = 20): string {
  const lines = [`certform expiry, stack ${report.stack}: ${expirySummary(report)}`];
  const shown = report.certificates.filter((r) => r.status !== "Active" && r.status !== "NotYetValid").slice(0, limit);
  for (const r of shown) {
    const when = r.daysLeft < 0 ? `expired on ${r.notAfter.slice(0, 10)}` : `expires on ${r.notAfter.slice(0, 10)} (${plural(r.daysLeft, "day")} left)`;
    lines.push(`• ${r.status}: ${KIND_WORD[r.kind]} ${r.name}${r.alias && r.alias !== r.name ? ` (alias ${r.alias})` : ""} in ${r.environment} ${when}${r.owner ? `, stack ${r.owner}` : ", not owned by any stack"}`);
  }
  const more = report.certificates.filter((r) => r.status !== "Active" && r.status !== "NotYetValid").length - shown.length;
  if (more > 0) lines.push(`… and ${more} more`);
  if (report.problems.length > 0) lines.push(`${plural(report.problems.length, "node")} could not be read: ${report.problems.map((p) => p.node).join(", ")}`);
  return lines.join("\n");
}
