import type { ListReport } from "../model/list-report.js";
import { nodesText } from "./list-text.js";
import { code, num, text } from "./markdown-escape.js";
import { nodeProblemsMarkdown } from "./node-problems.js";
import { shortFingerprint } from "./plan-rows.js";

const MAX_ROWS = 300;

/** `certform list --format markdown`: one table per environment, for an issue or a wiki page. */
export function renderListMarkdown(report: ListReport): string {
  const parts = [`### certform list: ${code(report.stack)}\n\n${num(report.objects.length)} objects on the gateways, owned or not.\n`];
  const cell = (s: string) => (s ? code(s, "cell") : "");
  for (const env of report.environments) {
    const objects = report.objects.filter((o) => o.environment === env.name);
    parts.push(`\n#### ${text(env.name)}\n\nNodes: ${env.nodes.map((n) => `${code(n.node)}${n.revision === null ? " (not read)" : ` (revision ${n.revision})`}`).join(", ")}\n\n`);
    if (objects.length === 0) {
      parts.push("No objects.\n");
      continue;
    }
    const rows = objects.slice(0, MAX_ROWS).map((o) => `| ${o.kind} | ${cell(o.name)} | ${o.owner ? cell(o.owner) : "_foreign_"} | ${cell(o.address ?? "")} | ${cell(o.fingerprint ? shortFingerprint(o.fingerprint) : "")} | ${o.hosts.map((h) => code(h, "cell")).join(", ")} | ${o.notAfter?.slice(0, 10) ?? ""} | ${text(nodesText(o))} | ${text(o.detail)} |`);
    if (objects.length > MAX_ROWS) rows.push(`| … and ${num(objects.length - MAX_ROWS)} more; run \`certform list\` for all | | | | | | | | |`);
    parts.push(`| kind | name | owner | address | fingerprint | hosts | not after | nodes | detail |\n|---|---|---|---|---|---|---|---|---|\n${rows.join("\n")}\n`);
  }
  parts.push(nodeProblemsMarkdown(report.problems));
  return parts.join("");
}
