import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { rootCertificates } from "node:tls";
import type { CertificateSource, Gateway } from "../model/index.js";
import { certLabel, decodeCertificates, isSelfSigned, issuedBy, type Finding } from "../x509/index.js";
import type { ManagementInstance } from "./desired-state.js";
import type { sourceReader } from "./read-sources.js";

/**
 * What certform trusts a node's admin API by once it serves the managementCertificate: caBundle, and the
 * self-signed root the chain may end with (a self-signed leaf is its own root). Sets `m.trustAnchors`, and
 * returns an error when the chain leads to none of those, the gateway's caFile or the system CAs: apply
 * would swap in a certificate that certform itself could then no longer verify, and every later command
 * would fail on those nodes.
 */
export async function readTrustAnchors(m: ManagementInstance, gateway: Gateway, reader: ReturnType<typeof sourceReader>): Promise<Finding | undefined> {
  const chain: X509Certificate[] = [];
  const sources = [m.spec.certificate, m.spec.chain].filter((s): s is CertificateSource => s !== undefined);
  for (const source of sources) {
    // Read errors are the certificate's own findings (the same reads, cached): not said twice here.
    const read = await reader.certificates(source, m.origin.baseDir, source === m.spec.certificate ? "certificate" : "chain", source === m.spec.certificate).catch(() => undefined);
    chain.push(...(read?.chain ?? []));
  }
  const anchors = chain.filter(isSelfSigned);
  if (m.caBundle) anchors.push(...((await reader.certificates(m.caBundle, m.origin.baseDir, "caBundle"))?.chain ?? []));
  m.trustAnchors = anchors;

  const leaf = chain[0];
  if (!leaf || gateway.type !== "embedded") return undefined;
  const caFile = gateway.caFile ? await readCaFile(resolve(m.origin.baseDir, gateway.caFile)) : [];
  if (leadsTo(leaf, chain, [...anchors, ...caFile]) || leadsTo(leaf, chain, systemRoots())) return undefined;
  const top = topOf(leaf, chain);
  return {
    severity: "error",
    code: "management-untrusted",
    message: `after the swap certform could not verify the admin API: the chain of ${certLabel(leaf)} ends at ${certLabel(top)}, issued by ${top.issuer.replace(/\n/g, ", ")}, which neither caBundle, the gateway's caFile nor the system CAs hold`,
    hint: "add caBundle: { file: CA.pem } with the CA that issued it (or put its root in chain:)",
    field: ["certificate"],
  };
}


function issuerIn(cert: X509Certificate, candidates: readonly X509Certificate[]): X509Certificate | undefined {
  return candidates.find((c) => issuedBy(cert, c));
}

/** Whether a path from `leaf` through `chain` reaches one of `anchors`. */
function leadsTo(leaf: X509Certificate, chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): boolean {
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256) || issuerIn(current, anchors)) return true;
    const next = issuerIn(current, chain.filter((c) => c !== current));
    if (!next || isSelfSigned(current)) return false;
    current = next;
  }
  return false;
}

function topOf(leaf: X509Certificate, chain: readonly X509Certificate[]): X509Certificate {
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    const next = isSelfSigned(current) ? undefined : issuerIn(current, chain.filter((c) => c !== current));
    if (!next) return current;
    current = next;
  }
  return current;
}

async function readCaFile(path: string): Promise<X509Certificate[]> {
  // An unreadable caFile is reported where the gateway settings are used; here it only trusts nothing.
  try {
    return decodeCertificates(await readFile(path));
  } catch {
    return [];
  }
}

let roots: X509Certificate[] | undefined;
function systemRoots(): X509Certificate[] {
  roots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return roots;
}
