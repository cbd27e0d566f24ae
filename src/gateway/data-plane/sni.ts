import type { StoredCertificate } from "../state.js";
import { normalizeName, parentOf, wildcardBase } from "./host-names.js";

/** Which stored certificate serves which SNI name. Updated for what each apply changed, read on every handshake. */
export interface SniTable {
  exact: ReadonlyMap<string, StoredCertificate>;
  /** Keyed by what follows "*.". */
  wildcard: ReadonlyMap<string, StoredCertificate>;
  /** Serves clients that send no SNI or a name no certificate claims; none means such handshakes fail. */
  fallback: StoredCertificate | undefined;
}

/**
 * A replacement is written before the certificate it replaces is deleted, so for a while two claim the
 * same host: the newer write wins. The name breaks ties only to keep the choice stable.
 */
export function newer(a: StoredCertificate, b: StoredCertificate): boolean {
  if (a.updatedRevision !== b.updatedRevision) return a.updatedRevision > b.updatedRevision;
  return a.name < b.name;
}

/** The table and what it is made of, kept from one apply to the next and changed in place. */
export interface SniIndex {
  readonly table: SniTable;
  /**
   * Removes certificates no longer stored and adds new ones; the table then says who serves each name
   * those claim. Throws (for a malformed certificate) before it has changed anything.
   */
  update(added: Iterable<StoredCertificate>, removed: Iterable<StoredCertificate>): void;
}

export function sniIndex(): SniIndex {
  const exact = new Map<string, StoredCertificate>();
  const wildcard = new Map<string, StoredCertificate>();
  const table: { exact: Map<string, StoredCertificate>; wildcard: Map<string, StoredCertificate>; fallback: StoredCertificate | undefined } = { exact, wildcard, fallback: undefined };
  // "=name" or "*base" → every certificate that claims it; and the keys each certificate claims.
  const claimants = new Map<string, Set<StoredCertificate>>();
  const claims = new Map<StoredCertificate, string[]>();
  const defaults = new Set<StoredCertificate>();
  const best = (certs: Iterable<StoredCertificate>): StoredCertificate | undefined => {
    let out: StoredCertificate | undefined;
    for (const c of certs) if (!out || newer(c, out)) out = c;
    return out;
  };
  const keysOf = (cert: StoredCertificate): string[] => {
    const keys = new Set<string>();
    for (const host of cert.hosts) {
      const name = normalizeName(host);
      const base = wildcardBase(name);
      keys.add(base !== undefined ? `*${base}` : `=${name}`);
    }
    return [...keys];
  };
  return {
    table,
    update(added, removed) {
      const adding = [...added].filter((c) => !claims.has(c)).map((c) => [c, keysOf(c)] as const);
      const touched = new Set<string>();
      let defaultsTouched = false;
      for (const cert of removed) {
        const keys = claims.get(cert);
        if (!keys) continue;
        claims.delete(cert);
        for (const key of keys) {
          claimants.get(key)?.delete(cert);
          touched.add(key);
        }
        if (defaults.delete(cert)) defaultsTouched = true;
      }
      for (const [cert, keys] of adding) {
        claims.set(cert, keys);
        for (const key of keys) {
          let set = claimants.get(key);
          if (!set) claimants.set(key, (set = new Set()));
          set.add(cert);
          touched.add(key);
        }
        if (cert.default) {
          defaults.add(cert);
          defaultsTouched = true;
        }
      }
      for (const key of touched) {
        const set = claimants.get(key);
        const map = key.startsWith("*") ? wildcard : exact;
        const winner = set && best(set);
        if (winner) map.set(key.slice(1), winner);
        else {
          claimants.delete(key);
          map.delete(key.slice(1));
        }
      }
      if (defaultsTouched) table.fallback = best(defaults);
    },
  };
}

export function buildSniTable(certificates: Iterable<StoredCertificate>): SniTable {
  const index = sniIndex();
  index.update(certificates, []);
  return index.table;
}

/** The certificate for a handshake: exact name, then a one-label wildcard, then the default. */
export function selectCertificate(table: SniTable, servername: string | undefined): StoredCertificate | undefined {
  if (!servername) return table.fallback;
  const name = normalizeName(servername);
  const hit = table.exact.get(name);
  if (hit) return hit;
  const parent = parentOf(name);
  return (parent !== undefined ? table.wildcard.get(parent) : undefined) ?? table.fallback;
}
