import { daysUntil, durationSeconds, expiryLevel, insideWindow, RESOURCE_KINDS } from "../model/index.js";
import type { ExpiryCertificate, ExpiryReport, ExpiryStatus } from "../model/expiry-report.js";
import { kindOf, mergeNodes, notBeforeOf, ownershipOf } from "./objects.js";
import type { Inventory } from "./read-inventory.js";

const STATUS_OF = { expired: "Expired", critical: "Critical", warning: "Warning" } as const;

/**
 * `certform expiry`: every certificate the nodes hold (server and trusted, owned or not), most urgent first.
 * `within`: list only those with notAfter − now ≤ it; without it every one is listed, and the window that
 * asks for attention is the stack's alerts.warnBefore.
 */
export function expiryReport(inv: Inventory, opts: { now: Date; within?: string }): ExpiryReport {
  const { now } = opts;
  const window = opts.within ?? inv.alerts.warnBefore;
  const windowSeconds = durationSeconds(window);
  const rows: ExpiryCertificate[] = [];
  for (const env of inv.environments) {
    for (const { object, nodes } of mergeNodes(env.read)) {
      if (object.collection !== "certificates" && object.collection !== "trusted") continue;
      const notAfterText = object.fields.notAfter;
      if (typeof notAfterText !== "string" || Number.isNaN(Date.parse(notAfterText))) continue;
      const notAfter = new Date(notAfterText);
      const notBefore = notBeforeOf(object);
      const own = ownershipOf(object);
      const level = expiryLevel(notAfter, now, inv.alerts);
      const status: ExpiryStatus = level !== "ok" ? STATUS_OF[level] : notBefore && Date.parse(notBefore) > now.getTime() ? "NotYetValid" : "Active";
      rows.push({
        environment: env.name,
        node: nodes.join(", "),
        nodes,
        kind: kindOf(object) as ExpiryCertificate["kind"],
        name: own.name,
        alias: object.collection === "trusted" ? object.name : null,
        hosts: object.collection === "certificates" && Array.isArray(object.fields.hosts) ? (object.fields.hosts as string[]) : [],
        notBefore,
        notAfter: notAfter.toISOString(),
        daysLeft: daysUntil(notAfter, now),
        status,
        fingerprint256: typeof object.fields.fingerprint256 === "string" ? object.fields.fingerprint256 : null,
        owner: own.owner,
        address: own.address,
        generated: object.fields.generated === true,
      });
    }
  }
  const envOrder = new Map(inv.environments.map((e, i) => [e.name, i]));
  rows.sort(
    (a, b) =>
      Date.parse(a.notAfter) - Date.parse(b.notAfter) ||
      envOrder.get(a.environment)! - envOrder.get(b.environment)! ||
      RESOURCE_KINDS.indexOf(a.kind) - RESOURCE_KINDS.indexOf(b.kind) ||
      a.name.localeCompare(b.name) ||
      a.node.localeCompare(b.node),
  );
  const inside = (r: ExpiryCertificate) => insideWindow(new Date(r.notAfter), now, windowSeconds);
  const listed = opts.within === undefined ? rows : rows.filter(inside);
  return {
    format_version: "1",
    stack: inv.stack,
    generated_at: now.toISOString(),
    alerts: { warnBefore: inv.alerts.warnBefore, criticalBefore: inv.alerts.criticalBefore },
    within: window,
    filtered: opts.within !== undefined,
    environments: inv.environments.map((e) => ({ name: e.name, nodes: e.nodes })),
    certificates: listed,
    inside: listed.filter(inside).length,
    problems: inv.problems,
  };
}
