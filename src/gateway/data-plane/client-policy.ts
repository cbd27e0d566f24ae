import type { StoredTrust } from "../state.js";
import { normalizeName, parentOf, wildcardBase } from "./host-names.js";
import { caSet, EMPTY_CA_SET, type CaSet, type TrustedCa } from "./truststores.js";

/**
 * What a host demands of its clients' certificates (trust bindings with scope "clients"). A binding
 * without an endpoint is enforced on every request to the host; one with an endpoint only makes the
 * host ask, and is enforced on that endpoint's routes (see EndpointClientPolicy).
 */
export interface ClientPolicy {
  /** True when any binding covers the host: its handshake asks the client for a certificate. */
  asks: boolean;
  /** The CAs the handshake names and verifies against: of every binding covering the host. */
  trust: CaSet;
  /** Endpoints whose bindings cover the host: their certificates can be presented on its connections. */
  endpoints: ReadonlySet<string>;
  /** False: no host-wide binding covers the host; only endpoints' routes judge what a client presents. */
  enforced: boolean;
  /** True unless every host-wide binding covering the host says required: false. */
  required: boolean;
  /** The CAs every request to the host must chain to (host-wide bindings). */
  enforcedTrust: CaSet;
  /** Equal for equal host-wide demands: hosts whose keys differ may not share a connection. */
  key: string;
}

/** What the routes of one endpoint demand of clients (bindings with scope "clients" and that endpoint). */
export interface EndpointClientPolicy {
  endpoint: string;
  required: boolean;
  trust: CaSet;
  /** The hosts that ask for the certificate; undefined: every host. */
  hosts: string[] | undefined;
  key: string;
}

export const OPEN_POLICY: ClientPolicy = { asks: false, trust: EMPTY_CA_SET, endpoints: new Set(), enforced: false, required: false, enforcedTrust: EMPTY_CA_SET, key: "" };

export interface ClientPolicies {
  /** True when any binding exists: only then may a client be asked for a certificate. */
  any: boolean;
  /** The policy for an SNI name or Host; undefined (no SNI) gets the bindings that name no hosts. */
  forName(name: string | undefined): ClientPolicy;
  /** The demands of an endpoint's routes; undefined when no binding names the endpoint. */
  forEndpoint(endpoint: string): EndpointClientPolicy | undefined;
  /** Names and wildcards bindings list, to prepare their TLS contexts ahead of the first handshake. */
  patterns: string[];
}

function combine(bindings: StoredTrust[], resolve: (alias: string) => TrustedCa[]): ClientPolicy {
  if (bindings.length === 0) return OPEN_POLICY;
  const hostWide = bindings.filter((b) => b.endpoint === undefined);
  const trust = caSet(bindings.map((b) => b.alias), resolve);
  const endpoints = new Set(bindings.flatMap((b) => (b.endpoint !== undefined ? [b.endpoint] : [])));
  if (hostWide.length === 0) return { ...OPEN_POLICY, asks: true, trust, endpoints };
  const required = hostWide.some((b) => b.required !== false);
  const enforcedTrust = caSet(hostWide.map((b) => b.alias), resolve);
  return { asks: true, trust, endpoints, enforced: true, required, enforcedTrust, key: `${required ? "required" : "optional"}:${enforcedTrust.key}` };
}

function endpointPolicies(bindings: StoredTrust[], resolve: (alias: string) => TrustedCa[]): Map<string, EndpointClientPolicy> {
  const grouped = new Map<string, StoredTrust[]>();
  for (const b of bindings) if (b.endpoint !== undefined) grouped.set(b.endpoint, [...(grouped.get(b.endpoint) ?? []), b]);
  const out = new Map<string, EndpointClientPolicy>();
  for (const [endpoint, group] of grouped) {
    const required = group.some((b) => b.required !== false);
    const trust = caSet(group.map((b) => b.alias), resolve);
    const everyHost = group.some((b) => !b.hosts || b.hosts.length === 0);
    const hosts = everyHost ? undefined : [...new Set(group.flatMap((b) => b.hosts!.map(normalizeName)))].sort();
    out.set(endpoint, { endpoint, required, trust, hosts, key: `${required ? "required" : "optional"}:${trust.key}` });
  }
  return out;
}

export function buildClientPolicies(bindings: StoredTrust[], resolve: (alias: string) => TrustedCa[]): ClientPolicies {
  const everyHost: StoredTrust[] = [];
  const exact = new Map<string, StoredTrust[]>();
  const wildcard = new Map<string, StoredTrust[]>();
  const file = (map: Map<string, StoredTrust[]>, key: string, b: StoredTrust) => map.set(key, [...(map.get(key) ?? []), b]);
  for (const b of bindings) {
    if (!b.hosts || b.hosts.length === 0) {
      everyHost.push(b);
      continue;
    }
    for (const host of new Set(b.hosts.map(normalizeName))) {
      const base = wildcardBase(host);
      if (base !== undefined) file(wildcard, base, b);
      else file(exact, host, b);
    }
  }
  const global = combine(everyHost, resolve);
  const endpoints = endpointPolicies(bindings, resolve);
  // Keyed by which entries matched, not by the name asked for: SNI names are the client's choice, and a
  // cache keyed by them would grow without bound.
  const combined = new Map<string, ClientPolicy>();
  return {
    any: bindings.length > 0,
    patterns: [...exact.keys(), ...[...wildcard.keys()].map((k) => `*.${k}`)],
    forEndpoint: (endpoint) => endpoints.get(endpoint),
    forName(raw) {
      if (raw === undefined || raw === "") return global;
      const name = normalizeName(raw);
      const parent = parentOf(name);
      const own = exact.get(name);
      const wild = parent !== undefined ? wildcard.get(parent) : undefined;
      if (!own && !wild) return global;
      const key = `${own ? name : ""}\n${wild ? parent : ""}`;
      let policy = combined.get(key);
      if (!policy) {
        policy = combine([...everyHost, ...(own ?? []), ...(wild ?? [])], resolve);
        combined.set(key, policy);
      }
      return policy;
    },
  };
}
