import { certFields, isSelfSigned } from "../../x509/index.js";
import { certificateInstances } from "../desired-state.js";
import { servedLeaf, type PolicyFinding, type RuleCheck } from "./finding.js";

/** `sha1` forbids sha1WithRSAEncryption and ecdsa-with-SHA1; a full algorithm name forbids just that one. */
export function algorithmForbidden(forbid: readonly string[], algorithm: string): string | undefined {
  const alg = algorithm.toLowerCase().replace(/[-_]/g, "");
  return forbid.find((f) => {
    const word = f.toLowerCase().replace(/[-_]/g, "");
    return alg === word || new RegExp(`(^|with)${word}($|with)`).test(alg);
  });
}

// A root's signature on itself is never checked by clients, so self-signed roots are left out.
export const checkSignatureAlgorithms: RuleCheck<"signatureAlgorithms"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  for (const c of certificateInstances(env)) {
    if (!servedLeaf(c)) continue;
    for (const [i, cert] of (c.material?.chain ?? []).entries()) {
      if (isSelfSigned(cert)) continue;
      const alg = certFields(cert).signatureAlgorithm;
      const hit = algorithmForbidden(policy.forbid, alg);
      if (!hit) continue;
      const which = i === 0 ? "the certificate" : `chain certificate ${i + 1} (${cert.subject.replace(/\n/g, ", ")})`;
      out.push({ instance: c, field: i > 0 && c.spec.chain ? ["chain"] : ["certificate"], message: `${which} is signed with ${alg}, which the policy forbids (${hit})`, hint: "reissue it with a SHA-256 (or stronger) signature" });
    }
  }
  return out;
};
