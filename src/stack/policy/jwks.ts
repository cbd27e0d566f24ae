import { publicJwk } from "../../x509/index.js";
import type { EnvironmentState, JwkInstance } from "../desired-state.js";
import { list, type PolicyFinding, type RuleCheck } from "./finding.js";

const GENERATED_ALG: Record<string, { sig: string; enc: string }> = {
  "ec-p256": { sig: "ES256", enc: "ECDH-ES" },
  "ec-p384": { sig: "ES384", enc: "ECDH-ES" },
};

/** The alg a JWK is published with: declared, or the default for its certificate's key. */
function jwkAlg(j: JwkInstance, env: EnvironmentState): string | undefined {
  if (j.spec.alg) return j.spec.alg;
  const cert = env.certificates.find((c) => c.name === j.spec.certificate);
  if (cert?.spec.generate) {
    const keyType = cert.spec.generate.csr?.keyType ?? cert.spec.generate.keyType;
    return GENERATED_ALG[keyType]?.[j.spec.use] ?? (j.spec.use === "sig" ? "RS256" : "RSA-OAEP-256");
  }
  const leaf = (cert ?? env.trustedCertificates.find((c) => c.name === j.spec.certificate))?.material?.chain[0];
  if (!leaf) return undefined;
  try {
    return publicJwk(leaf.publicKey, { use: j.spec.use }).alg as string | undefined;
  } catch {
    return undefined; // a key without a JWK form is reported as jwk-key-unsupported
  }
}

export const checkJwks: RuleCheck<"jwks"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  for (const j of env.jwks) {
    const alg = jwkAlg(j, env);
    if (alg === undefined || policy.allow.includes(alg)) continue;
    const how = j.spec.alg ? "" : " (the default for its key)";
    out.push({ instance: j, field: j.spec.alg ? ["alg"] : ["certificate"], message: `the JWK is published with alg ${alg}${how}, which the policy does not allow (allowed: ${list(policy.allow)})`, hint: `set alg: to one of ${list(policy.allow)}, or publish a certificate whose key has such an algorithm` });
  }
  return out;
};
