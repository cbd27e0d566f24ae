import type { StoredCertificate } from "../state.js";
import { normalizeName, parentOf, wildcardBase } from "./host-names.js";

/** Which stored certificate serves which SNI name. Built once per change, read on every handshake. */
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

export function buildSniTable(certificates: Iterable<StoredCertificate>): SniTable {
  const exact = new Map<string, StoredCertificate>();
  const wildcard = new Map<string, StoredCertificate>();
  let fallback: StoredCertificate | undefined;
  const claim = (map: Map<string, StoredCertificate>, key: string, cert: StoredCertificate) => {
    const held = map.get(key);
    if (!held || newer(cert, held)) map.set(key, cert);
  };
  for (const cert of certificates) {
    for (const host of cert.hosts) {
      const name = normalizeName(host);
      const base = wildcardBase(name);
      if (base !== undefined) claim(wildcard, base, cert);
      else claim(exact, name, cert);
    }
    if (cert.default && (!fallback || newer(cert, fallback))) fallback = cert;
  }
  return { exact, wildcard, fallback };
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
