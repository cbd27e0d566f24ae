import type { KeyObject, X509Certificate } from "node:crypto";
import { certFields, sanToString } from "./cert-fields.js";
import { isSelfSigned, linkProblem } from "./chain-order.js";
import { fingerprintKey } from "./fingerprint.js";
import { certificateKeyShape, keyShape, type KeyShape } from "./key-shape.js";

export { keyShape, certificateKeyShape, type KeyShape };

export type CertificateStatus = "Active" | "Expired" | "NotYetValid";

export interface KeyInfo extends KeyShape {
  /** SHA-256 over the SubjectPublicKeyInfo, "AB:CD:…". */
  fingerprint256: string;
}

export interface CertificateInfo {
  /** RFC 4514 order, one line: "CN=api.example.com, O=Example". */
  subject: string;
  issuer: string;
  /** Uppercase hex. */
  serialNumber: string;
  /** Typed entries: "DNS:api.example.com", "IP:10.0.0.1" (also "URI:…", "email:…"). */
  sans: string[];
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** floor((notAfter − now) / 86400 s); negative once expired. */
  daysLeft: number;
  status: CertificateStatus;
  fingerprints: { sha256: string; sha1: string };
  publicKey: KeyInfo;
  /** OpenSSL-style name, e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA256"; dotted OID when unknown. */
  signatureAlgorithm: string;
  isCA: boolean;
  selfSigned: boolean;
}

export interface ChainLink {
  /** Position of the certificate whose signature is checked. */
  from: number;
  /** Position of its presumed issuer (from + 1). */
  to: number;
  verifies: boolean;
  reason?: string;
}

/** Type, size and public-key fingerprint of a key. Never any part of the private key. */
export function describeKey(key: KeyObject): KeyInfo {
  return { ...keyShape(key), fingerprint256: fingerprintKey(key) };
}

const DAY_MS = 86_400_000;

export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

export function statusAt(notBefore: Date, notAfter: Date, now: Date): CertificateStatus {
  if (now.getTime() < notBefore.getTime()) return "NotYetValid";
  if (now.getTime() > notAfter.getTime()) return "Expired";
  return "Active";
}

export function describeCertificate(cert: X509Certificate, now: Date): CertificateInfo {
  const f = certFields(cert);
  return {
    subject: f.subject,
    issuer: f.issuer,
    serialNumber: f.serialNumber,
    sans: (f.sans ?? []).map(sanToString),
    notBefore: f.notBefore.toISOString(),
    notAfter: f.notAfter.toISOString(),
    daysLeft: daysLeft(f.notAfter, now),
    status: statusAt(f.notBefore, f.notAfter, now),
    fingerprints: { sha256: cert.fingerprint256, sha1: cert.fingerprint },
    publicKey: { ...certificateKeyShape(cert), fingerprint256: f.keyFingerprint256 },
    signatureAlgorithm: f.signatureAlgorithm,
    isCA: cert.ca,
    selfSigned: isSelfSigned(cert),
  };
}

export function describeChain(chain: X509Certificate[], now: Date): { certificates: CertificateInfo[]; links: ChainLink[] } {
  const links: ChainLink[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const reason = linkProblem(chain[i]!, chain[i + 1]!);
    links.push(reason ? { from: i, to: i + 1, verifies: false, reason } : { from: i, to: i + 1, verifies: true });
  }
  return { certificates: chain.map((c) => describeCertificate(c, now)), links };
}

/** "CN=api.example.com" style short label for messages: the subject, or its CN when there is one. */
export function certLabel(cert: X509Certificate): string {
  return certFields(cert).subject || "(empty subject)";
}
