import type { X509Certificate } from "node:crypto";
import { normalizeSha256 } from "../../x509/index.js";
import { certificateInstances } from "../desired-state.js";
import { list, type PolicyFinding, type RuleCheck } from "./finding.js";

/** A distinguished name as a set of lowercased `attribute=value` parts, in any order. */
function dnParts(dn: string, separator: RegExp): string[] {
  return dn.split(separator).map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf("=");
    return eq < 0 ? p.toLowerCase() : `${p.slice(0, eq).trim().toLowerCase()}=${p.slice(eq + 1).trim().toLowerCase()}`;
  });
}

/** Whether an allow entry (a fingerprint, a DN, or a bare common name) names the CA of this subject or fingerprint. */
export function caMatches(entry: string, subject: string, fingerprint256?: string): boolean {
  const pin = normalizeSha256(entry);
  if (pin) return pin === fingerprint256;
  const parts = dnParts(subject, /\n/);
  if (!entry.includes("=")) return parts.includes(`cn=${entry.trim().toLowerCase()}`);
  const wanted = dnParts(entry, /,/);
  return wanted.length === parts.length && wanted.every((w) => parts.includes(w));
}

/** The CAs a chain names: the leaf's issuer (by subject), then every certificate above it. */
function issuingCas(leafIssuer: string | undefined, above: readonly X509Certificate[]): { subject: string; fingerprint256?: string }[] {
  return [...(leafIssuer ? [{ subject: leafIssuer }] : []), ...above.map((c) => ({ subject: c.subject, fingerprint256: c.fingerprint256 }))];
}

export const checkIssuers: RuleCheck<"issuers"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  for (const c of certificateInstances(env)) {
    const generate = c.spec.generate;
    // An ACME certificate's issuer is known only once the CA has issued it.
    if (generate?.acme) continue;
    const chain = c.material?.chain ?? [];
    // A signing request's issuer is the outside CA: known once its certificate is given, then judged as brought.
    const cas = generate && !generate.csr ? issuingCas(undefined, generate.issuer ? chain : []) : chain[0] ? issuingCas(chain[0].issuer, chain.slice(1)) : undefined;
    if (!cas) continue;
    if (cas.some((ca) => policy.allow.some((entry) => caMatches(entry, ca.subject, ca.fingerprint256)))) continue;
    const by = cas[0] ? `issued by ${cas[0].subject.replace(/\n/g, ", ")}` : "self-signed";
    out.push({
      instance: c,
      field: generate ? (generate.issuer ? ["generate", "issuer", "certificate"] : ["generate"]) : ["certificate"],
      message: `the certificate is ${by}, and no CA of its chain is allowed by the policy (allowed: ${list(policy.allow)})`,
      hint: "get the certificate from an allowed CA, or include the allowed intermediate in the chain",
    });
  }
  return out;
};
