import type { KeyObject, X509Certificate } from "node:crypto";
import { certFields, SHA1_SIGNATURES } from "./cert-fields.js";
import { isSelfSigned, issuedBy, linkProblem, linksInOrder, matchesKey, orderChain } from "./chain-order.js";
import { certLabel, daysLeft, describeKey, keyShape } from "./describe.js";
import { fingerprintKey, normalizeSha256 } from "./fingerprint.js";
import { hostCovered, hostProblem } from "./host-match.js";
import { issuedByPublicRoot } from "./root-store.js";

export interface Finding {
  severity: "error" | "warning";
  /** Stable kebab-case identifier, e.g. "key-mismatch". */
  code: string;
  message: string;
  hint: string;
  /** Where in the resource the finding belongs, relative to the resource: ["key"], ["hosts", 2]. */
  field?: (string | number)[];
}

export interface ServerCheckInput {
  chain: X509Certificate[];
  key?: KeyObject;
  hosts?: string[];
  now: Date;
  warnBeforeDays: number;
  pinSha256?: string;
}

export interface TrustedCheckInput {
  certificates: X509Certificate[];
  now: Date;
  warnBeforeDays: number;
  pinSha256?: string;
}

const CERT = ["certificate"];
const day = (d: Date): string => d.toISOString().slice(0, 10);

function position(i: number, total: number): string {
  if (total === 1) return "the certificate";
  return i === 0 ? "the leaf" : `certificate ${i + 1} of the chain`;
}

/** Findings about a TLS server certificate: its chain, key, hosts and validity. */
export function checkServerCertificate(input: ServerCheckInput): Finding[] {
  const { chain, key } = input;
  const leaf = chain[0];
  if (!leaf) return [];
  const findings: Finding[] = [];
  const leafName = certLabel(leaf);

  if (key && !matchesKey(leaf, key)) {
    const owner = chain.findIndex((c) => matchesKey(c, key));
    findings.push({
      severity: "error",
      code: "key-mismatch",
      message:
        owner > 0
          ? `the key belongs to ${certLabel(chain[owner]!)} (position ${owner + 1} of the chain), not to the leaf ${leafName}`
          : `the key (public key ${fingerprintKey(key)}) does not belong to the certificate ${leafName} (public key ${describeKey(leaf.publicKey).fingerprint256})`,
      hint: owner > 0 ? "put the certificate issued for this key first" : "use the key the certificate was issued for, or the certificate issued for this key",
      field: ["key"],
    });
  }

  findings.push(...chainOrderFindings(chain, key));

  const sans = certFields(leaf).sans;
  if (sans === undefined || sans.length === 0) {
    findings.push({
      severity: "error",
      code: "no-san",
      message: `the certificate ${leafName} has no subjectAltName; clients ignore the CN and will reject it for every host`,
      hint: "reissue the certificate with the host names as DNS subjectAltNames",
      field: CERT,
    });
  }
  const sanList = (sans ?? []).map((s) => `${s.type}:${s.value}`);
  (input.hosts ?? []).forEach((host, i) => {
    const problem = hostProblem(host);
    if (problem) {
      findings.push({
        severity: "error",
        code: "host-invalid",
        message: `host ${JSON.stringify(host)} is not a valid host name: ${problem}`,
        hint: "write the host name without control characters or spaces",
        field: ["hosts", i],
      });
    } else if (!hostCovered(host, sanList)) {
      findings.push({
        severity: "error",
        code: "host-not-covered",
        message: `host ${host} is not covered by the certificate ${leafName} (SANs: ${sanList.join(", ") || "none"})`,
        hint: "remove the host, or use a certificate whose subjectAltNames include it",
        field: ["hosts", i],
      });
    }
  });

  chain.forEach((cert, i) => findings.push(...validityFindings(cert, position(i, chain.length), input.now, input.warnBeforeDays)));
  chain.forEach((cert, i) => {
    findings.push(...weakKeyFindings(cert, position(i, chain.length)));
    // A root's self-signature is never checked by clients, so its hash does not matter.
    if (!isSelfSigned(cert)) findings.push(...sha1Findings(cert, position(i, chain.length)));
  });

  const last = chain[chain.length - 1]!;
  if (linksInOrder(chain) && !isSelfSigned(last) && !issuedByPublicRoot(last)) {
    findings.push({
      severity: "warning",
      code: "chain-incomplete",
      message: `the chain stops at ${certLabel(last)}, issued by ${certFields(last).issuer}, which clients may not have`,
      hint: "append the intermediate certificate(s) after the leaf, up to (not necessarily including) the root",
      field: CERT,
    });
  }
  findings.push(...pinFindings(leaf, input.pinSha256));
  return findings;
}

/** Findings about truststore certificates: validity, strength and the pin. */
export function checkTrustedCertificate(input: TrustedCheckInput): Finding[] {
  const { certificates } = input;
  const findings: Finding[] = [];
  certificates.forEach((cert, i) => {
    const where = certificates.length === 1 ? "the certificate" : `certificate ${i + 1}`;
    findings.push(...validityFindings(cert, where, input.now, input.warnBeforeDays));
    findings.push(...weakKeyFindings(cert, where));
    if (!isSelfSigned(cert)) findings.push(...sha1Findings(cert, where));
  });
  if (certificates[0]) findings.push(...pinFindings(certificates[0], input.pinSha256));
  return findings;
}

function chainOrderFindings(chain: X509Certificate[], key: KeyObject | undefined): Finding[] {
  const broken = chain.findIndex((c, i) => i + 1 < chain.length && !issuedBy(c, chain[i + 1]!));
  if (broken === -1) return [];
  const a = chain[broken]!;
  const b = chain[broken + 1]!;
  const ordered = orderChain(chain, key);
  const fixable = ordered.length === chain.length && linksInOrder(ordered);
  let message = `the chain breaks between position ${broken + 1} (${certLabel(a)}) and position ${broken + 2} (${certLabel(b)}): ${linkProblem(a, b)}`;
  let hint = "order the chain leaf first, each certificate followed by its issuer; remove certificates that do not belong";
  if (fixable) {
    const leafFirst = ordered[0] !== chain[0];
    message += leafFirst
      ? `; the ${chain[0]!.ca ? "intermediate" : "certificate"} ${certLabel(chain[0]!)} comes before the leaf: put the leaf first`
      : "; the certificates given do form a chain in another order";
    hint = `put them in this order: ${ordered.map(certLabel).join(" → ")}`;
  }
  return [{ severity: "error", code: "chain-order", message, hint, field: CERT }];
}

function validityFindings(cert: X509Certificate, where: string, now: Date, warnBeforeDays: number): Finding[] {
  const { notBefore, notAfter } = certFields(cert);
  const label = certLabel(cert);
  if (notAfter.getTime() < now.getTime()) {
    return [{
      severity: "error",
      code: "expired",
      message: `${where} ${label} expired on ${day(notAfter)} (${Math.floor((now.getTime() - notAfter.getTime()) / 86_400_000)} days ago)`,
      hint: "renew the certificate and point the source at the new one",
      field: CERT,
    }];
  }
  if (notBefore.getTime() > now.getTime()) {
    return [{
      severity: "warning",
      code: "not-yet-valid",
      message: `${where} ${label} is not valid before ${notBefore.toISOString()}; clients reject it until then`,
      hint: "check the clock of the machine that issued it, or wait until it becomes valid before applying",
      field: CERT,
    }];
  }
  const left = daysLeft(notAfter, now);
  if (left < warnBeforeDays) {
    return [{
      severity: "warning",
      code: "expiring",
      message: `${where} ${label} expires on ${day(notAfter)} (${left} days left)`,
      hint: "renew it before it expires",
      field: CERT,
    }];
  }
  return [];
}

function weakKeyFindings(cert: X509Certificate, where: string): Finding[] {
  const key = keyShape(cert.publicKey);
  const weakRsa = (key.type === "RSA" || key.type === "RSA-PSS" || key.type === "DSA") && (key.bits ?? 0) < 2048;
  const weakEc = key.type === "EC" && (key.bits ?? 0) < 256;
  if (!weakRsa && !weakEc) return [];
  return [{
    severity: "warning",
    code: "weak-key",
    message: `${where} ${certLabel(cert)} has a ${key.bits}-bit ${key.type} key; clients may refuse keys under ${key.type === "EC" ? 256 : 2048} bits`,
    hint: "reissue it with an RSA key of at least 2048 bits or an EC P-256 key",
    field: CERT,
  }];
}

function sha1Findings(cert: X509Certificate, where: string): Finding[] {
  const alg = certFields(cert).signatureAlgorithm;
  if (!SHA1_SIGNATURES.has(alg)) return [];
  return [{
    severity: "warning",
    code: "sha1-signature",
    message: `${where} ${certLabel(cert)} is signed with SHA-1 (${alg}), which clients no longer accept`,
    hint: "reissue it with a SHA-256 signature",
    field: CERT,
  }];
}

function pinFindings(cert: X509Certificate, pin: string | undefined): Finding[] {
  if (pin === undefined) return [];
  const expected = normalizeSha256(pin);
  if (!expected) {
    return [{
      severity: "error",
      code: "pin-invalid",
      message: `sha256 ${JSON.stringify(pin)} is not a SHA-256 fingerprint`,
      hint: `write 32 hex pairs joined by colons, e.g. ${cert.fingerprint256}`,
      field: ["certificate", "sha256"],
    }];
  }
  if (expected === cert.fingerprint256) return [];
  return [{
    severity: "error",
    code: "pin-mismatch",
    message: `the certificate ${certLabel(cert)} has SHA-256 fingerprint ${cert.fingerprint256}, but sha256 pins ${expected}`,
    hint: "if the certificate changed on purpose, update sha256 to the new fingerprint; otherwise find out why the source presents a different certificate",
    field: ["certificate", "sha256"],
  }];
}
