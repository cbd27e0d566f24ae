import type { X509Certificate } from "node:crypto";
import { certFields, SHA1_SIGNATURES } from "./cert-fields.js";
import { certLabel, certificateKeyShape, daysLeft } from "./describe.js";
import { normalizeSha256 } from "./fingerprint.js";
import { loadablePublicKey } from "./key-shape.js";
import { CERTIFICATE_FIELD as CERT, type Finding } from "./finding.js";
import { plural } from "./input-form.js";

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** The alert windows, in days: `alerts.warnBefore` and `alerts.criticalBefore` of the stack (0: none). */
export interface ExpiryWindows {
  warnBeforeDays: number;
  criticalBeforeDays?: number;
}

/**
 * expired (error), not-yet-valid (warning), or expiring: an error inside criticalBeforeDays, a warning
 * inside warnBeforeDays. A window holds a certificate when notAfter − now ≤ the window, as `expiry --within`.
 */
export function validityFindings(cert: X509Certificate, where: string, now: Date, windows: ExpiryWindows): Finding[] {
  const { notBefore, notAfter } = certFields(cert);
  const label = certLabel(cert);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    // Never a silent "no expiry": a date that cannot be read is one no client accepts either.
    return [{
      severity: "error",
      code: "validity-unreadable",
      message: `${where} ${label} has a ${Number.isNaN(notAfter.getTime()) ? "notAfter" : "notBefore"} date that cannot be read, so its expiry cannot be checked and clients reject it`,
      hint: "reissue the certificate; its validity must be a UTCTime or GeneralizedTime as RFC 5280 writes them",
      field: CERT,
    }];
  }
  if (notAfter.getTime() < now.getTime()) {
    const ago = Math.floor((now.getTime() - notAfter.getTime()) / 86_400_000);
    return [{
      severity: "error",
      code: "expired",
      message: `${where} ${label} expired on ${day(notAfter)} (${ago === 0 ? "less than a day" : plural(ago, "day")} ago)`,
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
  const inside = (days: number | undefined) => days !== undefined && days > 0 && notAfter.getTime() - now.getTime() <= days * 86_400_000;
  const critical = inside(windows.criticalBeforeDays);
  if (critical || inside(windows.warnBeforeDays)) {
    return [{
      severity: critical ? "error" : "warning",
      code: "expiring",
      message: `${where} ${label} expires on ${day(notAfter)} (${left === 0 ? "less than a day" : plural(left, "day")} left)`,
      hint: critical ? "renew it now: it is inside the critical window" : "renew it before it expires",
      field: CERT,
    }];
  }
  return [];
}

/** RSA/DSA/DH under 2048 bits, EC under 256 bits. */
export function weakKeyFindings(cert: X509Certificate, where: string): Finding[] {
  const key = certificateKeyShape(cert);
  if (key.bits === undefined) return [];
  const floor = key.type === "EC" ? 256 : ["RSA", "RSA-PSS", "DSA", "DH"].includes(key.type) ? 2048 : 0;
  if (key.bits >= floor) return [];
  const shown = key.curve ? `${key.bits}-bit EC key (${key.curve})` : `${key.bits}-bit ${key.type} key`;
  return [{
    severity: "warning",
    code: "weak-key",
    message: `${where} ${certLabel(cert)} has a ${shown}; clients may refuse keys under ${floor} bits`,
    hint: "reissue it with an RSA key of at least 2048 bits or an EC P-256 key",
    field: CERT,
  }];
}

/**
 * key-unsupported: a public key OpenSSL cannot load (a GOST key, an unknown algorithm), named by its
 * OID. Nothing certform drives can use it: an error where it must be served, a warning elsewhere.
 */
export function unloadableKeyFindings(cert: X509Certificate, where: string, severity: Finding["severity"]): Finding[] {
  if (loadablePublicKey(cert)) return [];
  const key = certificateKeyShape(cert);
  const name = `${key.type === "unknown" ? "an unknown algorithm" : key.type}${key.algorithm ? ` (OID ${key.algorithm})` : ""}`;
  return [{
    severity,
    code: "key-unsupported",
    message: `${where} ${certLabel(cert)} has a public key of ${name}, which OpenSSL cannot load: ${severity === "error" ? "no gateway can serve it, and its key cannot be checked" : "nothing it signed can be verified"}`,
    hint: "use a certificate with an RSA, EC (P-256, P-384) or Ed25519 key",
    field: CERT,
  }];
}

/** A SHA-1 signature. Callers skip self-signed roots: clients never check a root's own signature. */
export function sha1Findings(cert: X509Certificate, where: string): Finding[] {
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

/** pin-invalid when `pin` is no SHA-256 fingerprint, pin-mismatch when it is another certificate's. */
export function pinFindings(cert: X509Certificate, pin: string | undefined): Finding[] {
  if (pin === undefined) return [];
  const expected = normalizeSha256(pin);
  if (!expected) {
    // Described by its form only: a value in this place may be anything a user pasted.
    const digits = pin.trim().replace(/:/g, "");
    const form = /^[0-9A-Fa-f]*$/.test(digits) ? `it has ${plural(digits.length, "hex digit")}, not 64` : "it has characters other than hex digits and colons";
    return [{
      severity: "error",
      code: "pin-invalid",
      message: `sha256 is not a SHA-256 fingerprint: ${form}`,
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
