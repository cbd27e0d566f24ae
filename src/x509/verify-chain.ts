import type { X509Certificate } from "node:crypto";
import { isSelfSigned, issuedBy } from "./chain-order.js";

const MAX_DEPTH = 10;

/**
 * Whether a server's chain (leaf first, as captured) verifies against a set of trusted certificates,
 * the way the gateway's backend connections decide it (Node's TLS with `ca:` set to exactly those, and
 * OpenSSL's defaults): a path from the leaf, through the certificates sent or trusted, to a self-signed
 * certificate that is trusted; trusted issuers are tried first; every certificate on the path is valid
 * at `now`; each issuer is a CA, except a self-signed leaf trusted as itself. A trusted certificate that
 * is not self-signed (an intermediate) is not an anchor by itself: its own issuer must be trusted too,
 * as without OpenSSL's partial-chain flag. Host names are not checked: trust does not change them.
 */
export function chainVerifies(presented: readonly X509Certificate[], trusted: readonly X509Certificate[], now: Date): boolean {
  const leaf = presented[0];
  if (!leaf) return false;
  const trustedPrints = new Set(trusted.map((t) => t.fingerprint256));
  const valid = (c: X509Certificate) => new Date(c.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(c.validTo).getTime();
  const isTrusted = (c: X509Certificate) => trustedPrints.has(c.fingerprint256);

  const walk = (cert: X509Certificate, depth: number, seen: Set<string>): boolean => {
    if (depth > MAX_DEPTH || !valid(cert)) return false;
    if (isSelfSigned(cert)) return isTrusted(cert) || trusted.some((t) => isSelfSigned(t) && valid(t) && t.subject === cert.subject && t.publicKey.equals(cert.publicKey));
    const candidates = [...trusted, ...presented.slice(1)].filter((c) => !seen.has(c.fingerprint256) && c.ca && issuedBy(cert, c));
    return candidates.some((issuer) => walk(issuer, depth + 1, new Set([...seen, issuer.fingerprint256])));
  };
  return walk(leaf, 0, new Set([leaf.fingerprint256]));
}
