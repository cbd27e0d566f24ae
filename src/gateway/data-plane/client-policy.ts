import type { StoredTrust } from "../state.js";
import { normalizeName, parentOf, wildcardBase } from "./host-names.js";
import { caSet, EMPTY_CA_SET, type CaSet, type TrustedCa } from "./truststores.js";

/** What a host demands of its clients' certificates (trust bindings with scope "clients"). */
export interface ClientPolicy {
  /** False: no binding covers the host; whatever a client presents is ignored. */
  enforced: boolean;
  /** True unless every binding covering the host says required: false. */
  required: boolean;
  trust: CaSet;
  /** Equal for equal policies: hosts whose keys differ may not share a connection. */
  key: string;
}

export const OPEN_POLICY: ClientPolicy = { enforced: false, required: false, trust: EMPTY_CA_SET, key: "" };

export interface ClientPolicies {
  /** True when any host enforces mutual TLS: only then are clients asked for a certificate. */
  any: boolean;
  /** The policy for an SNI name or Host; undefined (no SNI) gets the bindings that name no hosts. */
  forName(name: string | undefined): ClientPolicy;
  /** Names and wildcards bindings list, to prepare their TLS contexts ahead of the first handshake. */
  patterns: string[];
}

function combine(bindings: StoredTrust[], resolve: (alias: string) => TrustedCa[]): ClientPolicy {
  if (bindings.length === 0) return OPEN_POLICY;
  const required = bindings.some((b) => b.required !== false);
  const trust = caSet(bindings.map((b) => b.alias), resolve);
  return { enforced: true, required, trust, key: `${required ? "required" : "optional"}:${trust.key}` };
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
  // Keyed by which entries matched, not by the name asked for: SNI names are the client's choice, and a
  // cache keyed by them would grow without bound.
  const combined = new Map<string, ClientPolicy>();
  return {
    any: bindings.length > 0,
    patterns: [...exact.keys(), ...[...wildcard.keys()].map((k) => `*.${k}`)],
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
