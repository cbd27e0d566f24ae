import type { KeyObject, X509Certificate } from "node:crypto";
import { chainIncompleteFindings, chainOrder } from "./check-chain.js";
import { hostFindings, keyFindings, sanFindings, wildcardSanFindings } from "./check-leaf.js";
import { pinFindings, sha1Findings, unloadableKeyFindings, validityFindings, weakKeyFindings } from "./check-validity.js";
import { isSelfSigned } from "./chain-order.js";
import type { Finding } from "./finding.js";

export type { Finding } from "./finding.js";

export interface ServerCheckInput {
  chain: X509Certificate[];
  key?: KeyObject;
  hosts?: string[];
  now: Date;
  warnBeforeDays: number;
  /** Expiring inside this many days is an error (alerts.criticalBefore); default: never. */
  criticalBeforeDays?: number;
  pinSha256?: string;
}

export interface TrustedCheckInput {
  certificates: X509Certificate[];
  now: Date;
  warnBeforeDays: number;
  /** Expiring inside this many days is an error (alerts.criticalBefore); default: never. */
  criticalBeforeDays?: number;
  pinSha256?: string;
}

/**
 * Findings about a TLS server certificate: its chain, key, hosts and validity. When the chain is
 * out of order but reordering repairs it, chain-order is reported and the leaf checks (key, SANs,
 * hosts) look at the real leaf. When it cannot be repaired and a CA comes first, there is no leaf
 * to check: chain-order says what is wrong, and no-san, key-mismatch and host-not-covered about an
 * intermediate would only mislead.
 */
export function checkServerCertificate(input: ServerCheckInput): Finding[] {
  const { chain, key } = input;
  if (chain.length === 0) return [];
  const order = chainOrder(chain, key);
  const ordered = order.finding ? order.fixed : chain;
  const leaf = ordered ? ordered[0]! : chain[0]!.ca ? undefined : chain[0]!;

  const findings: Finding[] = [];
  const unloadable = leaf ? unloadableKeyFindings(leaf, "the certificate", "error") : [];
  // A key OpenSSL cannot load cannot be compared with anything: key-unsupported says so, key-mismatch would mislead.
  if (key && leaf && unloadable.length === 0) findings.push(...keyFindings(chain, leaf, key));
  findings.push(...unloadable);
  if (order.finding) findings.push(order.finding);
  if (leaf) findings.push(...sanFindings(leaf), ...wildcardSanFindings(leaf));
  findings.push(...hostFindings(input.hosts ?? [], leaf));

  const where = (cert: X509Certificate, i: number): string =>
    chain.length === 1 ? "the certificate" : cert === leaf ? "the leaf" : `certificate ${i + 1} of the chain`;
  chain.forEach((cert, i) => findings.push(...validityFindings(cert, where(cert, i), input.now, input)));
  chain.forEach((cert, i) => {
    if (cert !== leaf) findings.push(...unloadableKeyFindings(cert, where(cert, i), "warning"));
    findings.push(...weakKeyFindings(cert, where(cert, i)));
    // A root's self-signature is never checked by clients, so its hash does not matter.
    if (!isSelfSigned(cert)) findings.push(...sha1Findings(cert, where(cert, i)));
  });
  if (ordered) findings.push(...chainIncompleteFindings(ordered));
  findings.push(...pinFindings(leaf ?? chain[0]!, input.pinSha256));
  return findings;
}

/** Findings about truststore certificates: validity, strength and the pin. */
export function checkTrustedCertificate(input: TrustedCheckInput): Finding[] {
  const { certificates } = input;
  const findings: Finding[] = [];
  certificates.forEach((cert, i) => {
    const where = certificates.length === 1 ? "the certificate" : `certificate ${i + 1}`;
    findings.push(...validityFindings(cert, where, input.now, input));
    findings.push(...unloadableKeyFindings(cert, where, "warning"));
    findings.push(...weakKeyFindings(cert, where));
    if (!isSelfSigned(cert)) findings.push(...sha1Findings(cert, where));
  });
  if (certificates[0]) findings.push(...pinFindings(certificates[0], input.pinSha256));
  return findings;
}
