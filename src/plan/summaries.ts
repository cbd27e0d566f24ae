import type { X509Certificate } from "node:crypto";
import type { CertificateSummaryValue } from "../model/plan.js";
import { certFields, describeCertificate } from "../x509/index.js";

/** A certificate as a plan shows it: never its PEM, never its key; the key as the fingerprint of its public half. */
export function summarizeChain(chain: readonly X509Certificate[], now: Date, generated?: boolean): CertificateSummaryValue {
  const leaf = chain[0]!;
  const info = describeCertificate(leaf, now);
  const shape = info.publicKey;
  const summary: CertificateSummaryValue = {
    fingerprint256: leaf.fingerprint256,
    subject: info.subject,
    issuer: info.issuer,
    sans: info.sans,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    keyType: [shape.type, shape.curve ?? shape.bits ?? (shape.algorithm ? `(OID ${shape.algorithm})` : undefined)].filter(Boolean).join(" "),
    keyFingerprint256: info.publicKey.fingerprint256,
    chainLength: chain.length,
  };
  if (generated !== undefined) summary.generated = generated;
  return summary;
}

export const notAfterOf = (cert: X509Certificate): Date => certFields(cert).notAfter;
