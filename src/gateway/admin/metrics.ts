import { LABEL, parseAddress } from "../../model/index.js";
import { COLLECTIONS } from "../api/admin-api.js";
import { daysLeft } from "../../x509/index.js";
import type { PersistentMap } from "../persistent-map.js";
import type { GatewayState } from "../state.js";
import { activeLock, certificateView, trustedView } from "../store/index.js";

// Bounded label values: a client inventing methods must not grow the series without end.
const KNOWN_METHODS = new Set(["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"]);

export interface RequestCounter {
  count(method: string | undefined, code: number): void;
  snapshot(): ReadonlyMap<string, number>;
}

export function requestCounter(): RequestCounter {
  const counts = new Map<string, number>();
  return {
    count(method, code) {
      const m = method && KNOWN_METHODS.has(method) ? method : "OTHER";
      const key = `method="${m}",code="${code}"`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    snapshot: () => counts,
  };
}

// Prometheus text format 0.0.4: a label value escapes backslash, double quote and line feed.
const label = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** The stack's name for an owned object (from its address label), else its name on the gateway. */
function resourceName(labels: Readonly<Record<string, string>>, gatewayName: string): string {
  const address = labels[LABEL.address];
  if (labels[LABEL.stack] === undefined || address === undefined) return gatewayName;
  try {
    return parseAddress(address).name;
  } catch {
    return gatewayName;
  }
}

/**
 * One series per stored certificate, from the per-record views (made once per record, not per scrape).
 * `alias` is the object's own name on the gateway (a trusted alias, a server certificate's name): it keeps
 * the series apart while a replacement briefly holds two objects for one declared certificate.
 */
function certificateSeries(state: GatewayState): [string, Date][] {
  const sorted = <T>(m: PersistentMap<T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
  const series = (kind: string, name: string, alias: string) => `kind="${kind}",name="${label(name)}",alias="${label(alias)}"`;
  return [
    ...sorted(state.certificates).map((c): [string, Date] => [series("certificates", resourceName(c.labels, c.name), c.name), new Date(certificateView(c).notAfter)]),
    ...sorted(state.trusted).map((t): [string, Date] => [series("trustedCertificates", resourceName(t.labels, t.alias), t.alias), new Date(trustedView(t).notAfter)]),
  ];
}

/** Prometheus text format 0.0.4. */
export function renderMetrics(state: GatewayState, now: Date, requests: RequestCounter): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels ? `{${labels}}` : ""} ${value}`);
  };
  const node = `node="${label(state.node)}",environment="${label(state.environment)}"`;
  metric("certform_gateway_info", "gauge", "The node and its environment.", [[node, 1]]);
  metric("certform_gateway_revision", "gauge", "The store revision: it increases with every change.", [["", state.revision]]);
  const changedAt = state.changedAt === undefined ? undefined : Date.parse(state.changedAt) / 1000;
  metric("certform_gateway_last_change_timestamp_seconds", "gauge", "When the store revision last increased (unix seconds).", changedAt === undefined ? [] : [["", changedAt]]);
  metric("certform_gateway_objects", "gauge", "Stored objects per collection.", COLLECTIONS.map((c) => [`collection="${c}"`, state[c].size]));
  metric("certform_gateway_lock_held", "gauge", "1 while the lease lock is held.", [["", activeLock(state, now) ? 1 : 0]]);

  const certs = certificateSeries(state);
  metric("certform_certificate_not_after_seconds", "gauge", "Expiry of each certificate (unix seconds).", certs.map(([l, d]) => [l, Math.floor(d.getTime() / 1000)]));
  metric("certform_certificate_days_left", "gauge", "Whole days until expiry; negative once expired.", certs.map(([l, d]) => [l, daysLeft(d, now)]));
  metric("certform_admin_requests_total", "counter", "Admin API requests by method and status code.", [...requests.snapshot()].map(([l, n]) => [l, n]));
  return `${lines.join("\n")}\n`;
}
