import type { KeyObject, X509Certificate } from "node:crypto";
import { quoteValue } from "../model/redact.js";
import { certFields, sanToString } from "./cert-fields.js";
import { matchesKey } from "./chain-order.js";
import { certLabel } from "./describe.js";
import { fingerprintKey } from "./fingerprint.js";
import { CERTIFICATE_FIELD as CERT, type Finding } from "./finding.js";
import { hostCovered, hostProblem, publicSuffixReason, wildcardPublicSuffix } from "./host-match.js";

/** key-mismatch, at the `key:` key: the key is not the leaf's, naming the certificate it belongs to if any. */
export function keyFindings(chain: X509Certificate[], leaf: X509Certificate, key: KeyObject): Finding[] {
  if (matchesKey(leaf, key)) return [];
  const owner = chain.findIndex((c) => c !== leaf && matchesKey(c, key));
  const leafName = certLabel(leaf);
  return [{
    severity: "error",
    code: "key-mismatch",
    message:
      owner >= 0
        ? `the key belongs to ${certLabel(chain[owner]!)} (position ${owner + 1} of the chain), not to the leaf ${leafName}`
        : `the key (public key ${fingerprintKey(key)}) does not belong to the certificate ${leafName} (public key ${certFields(leaf).keyFingerprint256})`,
    hint: owner >= 0 ? "put the certificate issued for this key first" : "use the key the certificate was issued for, or the certificate issued for this key",
    field: ["key"],
    at: "key",
  }];
}

/** no-san: clients match hosts against DNS and IP subjectAltNames only, never the CN or other SAN types. */
export function sanFindings(leaf: X509Certificate): Finding[] {
  const sans = certFields(leaf).sans ?? [];
  if (sans.some((s) => s.type === "DNS" || s.type === "IP")) return [];
  const what = sans.length === 0 ? "has no subjectAltName" : `has no DNS or IP subjectAltName (only ${sans.map(sanToString).join(", ")})`;
  return [{
    severity: "error",
    code: "no-san",
    message: `the certificate ${certLabel(leaf)} ${what}; clients ignore the CN and will reject it for every host`,
    hint: "reissue the certificate with the host names as DNS (or IP) subjectAltNames",
    field: CERT,
  }];
}

/** wildcard-public-suffix: a DNS SAN such as *.co.uk or *.s3.amazonaws.com covers no host, and clients refuse it. */
export function wildcardSanFindings(leaf: X509Certificate): Finding[] {
  return (certFields(leaf).sans ?? [])
    .filter((s) => s.type === "DNS")
    .flatMap((s) => {
      const suffix = wildcardPublicSuffix(s.value);
      if (!suffix) return [];
      return [{
        severity: "error" as const,
        code: "wildcard-public-suffix",
        message: `the certificate ${certLabel(leaf)} has the subjectAltName ${sanToString(s)}: ${publicSuffixReason(suffix)}`,
        hint: "reissue the certificate without that name, with wildcards over your own domains only",
        field: CERT,
      }];
    });
}

/**
 * host-not-covered, when the leaf is known, for each host its SANs do not cover (at the `hosts:` key; the
 * message names the host). A host that is no host name is skipped: its syntax is checked once, where the
 * host is declared (the stack's instance checks, the gateway's API), and said there as host-invalid.
 */
export function hostFindings(hosts: readonly string[], leaf: X509Certificate | undefined): Finding[] {
  if (!leaf) return [];
  const sans = certFields(leaf).sans ?? [];
  const raw = sans.map((s) => `${s.type}:${s.value}`);
  const shown = sans.map(sanToString).join(", ") || "none";
  return hosts
    .filter((host) => !hostProblem(host) && !hostCovered(host, raw))
    .map((host) => ({
      severity: "error",
      code: "host-not-covered",
      message: `host ${quoteValue(host)} is not covered by the certificate ${certLabel(leaf)} (SANs: ${shown})`,
      hint: "remove the host, or use a certificate whose subjectAltNames include it",
      field: ["hosts"],
      at: "key",
    }));
}
