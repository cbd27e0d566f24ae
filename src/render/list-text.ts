import type { ListedObject, ListReport } from "../model/list-report.js";
import { nodeProblemsText } from "./node-problems.js";
import type { Palette } from "./palette.js";
import { shortFingerprint } from "./plan-rows.js";
import { textTable } from "./text-table.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Where a version of an object is: every node read, or the ones that hold it. */
export const nodesText = (o: ListedObject): string => (o.missingFrom.length === 0 ? "all" : o.nodes.join(", "));

/** `certform list` for a terminal: one table per environment; foreign objects marked, drift in yellow. */
export function renderListText(report: ListReport, c: Palette): string {
  const parts: string[] = [`Stack ${c.bold(report.stack)}: what the gateways hold, owned or not\n`];
  for (const env of report.environments) {
    const objects = report.objects.filter((o) => o.environment === env.name);
    const nodes = env.nodes.map((n) => `  node ${n.node}${n.revision === null ? " (not read)" : ` at revision ${n.revision}`}\n`).join("");
    parts.push(`\n${c.bold(`Environment ${env.name}`)}: ${plural(objects.length, "object")}\n${nodes}\n`);
    if (objects.length === 0) continue;
    const rows = objects.map((o) => [o.kind, o.name, o.owner ?? "(foreign)", o.address ?? "", o.fingerprint ? shortFingerprint(o.fingerprint) : "", o.hosts.join(","), o.notAfter?.slice(0, 10) ?? "", nodesText(o), o.detail]);
    parts.push(textTable(["KIND", "NAME", "OWNER", "ADDRESS", "FINGERPRINT", "HOSTS", "NOT AFTER", "NODES", "DETAIL"], rows, (i, line) => (objects[i]!.missingFrom.length > 0 ? c.yellow(line) : objects[i]!.owner === null ? c.dim(line) : line)));
  }
  parts.push(nodeProblemsText(report.problems, c));
  const foreign = report.objects.filter((o) => o.owner === null).length;
  const owners = [...new Set(report.objects.flatMap((o) => (o.owner ? [o.owner] : [])))].sort();
  parts.push(`\n${plural(report.objects.length, "object")}: ${foreign} foreign${owners.length ? `, owned by ${owners.join(", ")}` : ""}.\n`);
  return parts.join("");
}
