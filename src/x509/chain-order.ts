import type { KeyObject, X509Certificate } from "node:crypto";

/** True when `issuer` issued `cert`: names match and the signature verifies with the issuer's key. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function linkProblem(cert: X509Certificate, issuer: X509Certificate): string | undefined {
  if (issuedBy(cert, issuer)) return undefined;
  if (cert.issuer !== issuer.subject) return "its issuer name does not match the next certificate's subject";
  let verifies = false;
  try {
    verifies = cert.verify(issuer.publicKey);
  } catch {
    verifies = false;
  }
  if (!verifies) return "its signature does not verify with the next certificate's key (same name, different key)";
  return "the next certificate may not issue certificates (its key usage or basic constraints forbid it)";
}

/**
 * Signed by its own key under its own name. Not X509Certificate#checkIssued(self): OpenSSL also
 * demands keyCertSign there, which self-signed server certificates usually lack.
 */
export function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.subject !== cert.issuer) return false;
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

export function matchesKey(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/**
 * Orders certificates leaf → root by following issuers. The leaf is the certificate matching `key`
 * when given, else the one that issued none of the others. Certificates that do not link are
 * appended in their original order, so nothing is lost.
 */
export function orderChain(certs: X509Certificate[], key?: KeyObject): X509Certificate[] {
  const unique = dedupe(certs);
  if (unique.length <= 1) return unique;
  let leaf = key ? unique.find((c) => matchesKey(c, key)) : undefined;
  const issuesNone = (c: X509Certificate): boolean => !unique.some((other) => other !== c && issuedBy(other, c));
  leaf ??= unique.find((c) => !c.ca && issuesNone(c)) ?? unique.find(issuesNone) ?? unique[0]!;
  const ordered = [leaf];
  const rest = unique.filter((c) => c !== leaf);
  for (;;) {
    const last = ordered[ordered.length - 1]!;
    if (isSelfSigned(last)) break;
    const next = rest.findIndex((c) => issuedBy(last, c));
    if (next === -1) break;
    ordered.push(...rest.splice(next, 1));
  }
  return [...ordered, ...rest];
}

/** True when the certificates, in the given order, link each to the next. */
export function linksInOrder(certs: X509Certificate[]): boolean {
  for (let i = 0; i + 1 < certs.length; i++) if (!issuedBy(certs[i]!, certs[i + 1]!)) return false;
  return true;
}

export function dedupe(certs: X509Certificate[]): X509Certificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => {
    if (seen.has(c.fingerprint256)) return false;
    seen.add(c.fingerprint256);
    return true;
  });
}

/**
 * What a url source keeps of a captured chain: the leaf, the top-most certificate (the root when
 * the server sends it or node's root store completes it), or all of it.
 */
export function selectFromChain(chain: X509Certificate[], select: "leaf" | "root" | "chain"): X509Certificate[] {
  if (chain.length === 0) return [];
  if (select === "leaf") return [chain[0]!];
  if (select === "root") return [chain[chain.length - 1]!];
  return [...chain];
}
