import { createHash, X509Certificate } from "node:crypto";
import { parsePemBlocks } from "../../x509/pem.js";
import type { GatewayState, StoredTrust } from "../state.js";

export interface TrustedCa {
  alias: string;
  pem: string;
  certificate: X509Certificate;
}

/** A set of trusted certificates; `key` is equal for equal sets, whatever their order or aliases. */
export interface CaSet {
  key: string;
  aliases: string[];
  cas: TrustedCa[];
}

export const EMPTY_CA_SET: CaSet = { key: "", aliases: [], cas: [] };

/** Parsed certificates by PEM text, carried from one apply to the next so that unchanged entries are not parsed again. */
export type PemCache = Map<string, TrustedCa[]>;

function parse(alias: string, text: string): TrustedCa[] {
  const out: TrustedCa[] = [];
  for (const block of parsePemBlocks(text)) {
    if (block.label !== "CERTIFICATE" || !block.der) continue;
    const certificate = new X509Certificate(block.der);
    out.push({ alias, pem: block.text, certificate });
  }
  return out;
}

/**
 * Resolves aliases (case-insensitively, as the store compares them) to parsed certificates. An alias
 * whose PEM cannot be parsed resolves to nothing, so it widens no trust; the store validates on write,
 * so this happens only with a hand-edited data directory.
 */
export function aliasResolver(state: GatewayState, previous: PemCache, next: PemCache, warn: (message: string) => void): (alias: string) => TrustedCa[] {
  const byAlias = new Map<string, { alias: string; certificatePem: string }>();
  for (const t of [...state.trusted.values()]) byAlias.set(t.alias.toLowerCase(), t);
  return (alias) => {
    const trusted = byAlias.get(alias.toLowerCase());
    if (!trusted) return [];
    const cacheKey = `${trusted.alias}\n${trusted.certificatePem}`;
    let parsed = next.get(cacheKey) ?? previous.get(cacheKey);
    if (!parsed) {
      try {
        parsed = parse(trusted.alias, trusted.certificatePem);
      } catch {
        warn(`trusted certificate ${JSON.stringify(trusted.alias)} cannot be parsed; it is not trusted`);
        parsed = [];
      }
    }
    next.set(cacheKey, parsed);
    return parsed;
  };
}

export function caSet(aliases: Iterable<string>, resolve: (alias: string) => TrustedCa[]): CaSet {
  const byFingerprint = new Map<string, TrustedCa>();
  const names = new Set<string>();
  for (const alias of aliases) {
    names.add(alias);
    for (const ca of resolve(alias)) byFingerprint.set(ca.certificate.fingerprint256, ca);
  }
  const fingerprints = [...byFingerprint.keys()].sort();
  const key = fingerprints.length === 0 ? "" : createHash("sha256").update(fingerprints.join(",")).digest("hex");
  return { key, aliases: [...names].sort(), cas: fingerprints.map((f) => byFingerprint.get(f)!) };
}

/**
 * What each endpoint trusts for its backend: its own aliases plus the environment truststore, and
 * nothing else (system CAs are added, if at all, where the agent is made).
 */
export function endpointCaSets(state: GatewayState, resolve: (alias: string) => TrustedCa[]): Map<string, CaSet> {
  const bindings = [...state.trust.values()];
  const environment = bindings.filter((b) => b.scope === "environment").map((b) => b.alias);
  const own = new Map<string, string[]>();
  for (const b of bindings) {
    // A clients binding with an endpoint is that endpoint's clients' trust, never its backend's.
    if (b.endpoint === undefined || b.scope !== undefined) continue;
    const list = own.get(b.endpoint) ?? [];
    list.push(b.alias);
    own.set(b.endpoint, list);
  }
  const out = new Map<string, CaSet>();
  for (const { name } of [...state.endpoints.values()]) out.set(name, caSet([...(own.get(name) ?? []), ...environment], resolve));
  return out;
}

export function clientBindings(state: GatewayState): StoredTrust[] {
  return [...state.trust.values()].filter((b) => b.scope === "clients");
}
