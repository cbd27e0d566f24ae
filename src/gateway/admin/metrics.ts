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

const label = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Prometheus text format 0.0.4. */
export function renderMetrics(state: GatewayState, now: Date, requests: RequestCounter): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels ? `{${labels}}` : ""} ${value}`);
  };
  const node = `node="${label(state.node)}",environment="${label(state.environment)}"`;
  metric("certform_gateway_info", "gauge", "The node and its environment.", [[node, 1]]);
  metric("certform_gateway_revision", "gauge", "The store revision.", [["", state.revision]]);
  metric("certform_gateway_objects", "gauge", "Stored objects per collection.", COLLECTIONS.map((c) => [`collection="${c}"`, state[c].size]));
  metric("certform_gateway_lock_held", "gauge", "1 while the lease lock is held.", [["", activeLock(state, now) ? 1 : 0]]);

  const sorted = <T>(m: PersistentMap<T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
  const certs: [string, Date][] = [
    ...sorted(state.certificates).map((c): [string, Date] => [`name="${label(c.name)}",kind="server"`, new Date(certificateView(c).notAfter)]),
    ...sorted(state.trusted).map((t): [string, Date] => [`name="${label(t.alias)}",kind="trusted"`, new Date(trustedView(t).notAfter)]),
  ];
  metric("certform_certificate_not_after_seconds", "gauge", "Expiry of each certificate (unix seconds).", certs.map(([l, d]) => [l, Math.floor(d.getTime() / 1000)]));
  metric("certform_certificate_days_left", "gauge", "Whole days until expiry; negative once expired.", certs.map(([l, d]) => [l, daysLeft(d, now)]));
  metric("certform_admin_requests_total", "counter", "Admin API requests by method and status code.", [...requests.snapshot()].map(([l, n]) => [l, n]));
  return `${lines.join("\n")}\n`;
}
