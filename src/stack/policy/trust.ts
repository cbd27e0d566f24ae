import { normalizeSha256 } from "../../x509/index.js";
import { list, type PolicyFinding, type RuleCheck } from "./finding.js";

// What endpoints trust: an endpoint's own trust and environment-wide trust; client and management trust are other matters.
export const checkTrust: RuleCheck<"trust"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  const pins = new Set(policy.allow.map(normalizeSha256).filter((p): p is string => p !== undefined));
  for (const t of env.trustAssignments) {
    if (t.spec.scope !== "environment" && (t.spec.scope !== undefined || t.spec.endpoint === undefined)) continue;
    const trusted = env.trustedCertificates.find((c) => c.name === t.spec.certificate);
    if (!trusted) continue;
    if (policy.allow.includes(trusted.name) || policy.allow.includes(trusted.alias)) continue;
    if ((trusted.material?.chain ?? []).some((c) => pins.has(c.fingerprint256))) continue;
    const who = t.spec.endpoint !== undefined ? `endpoint ${t.spec.endpoint}` : `every endpoint of ${env.name}`;
    out.push({ instance: t, field: ["certificate"], message: `${who} would trust ${t.spec.certificate}, which is not among the CAs the policy allows (${list(policy.allow)})`, hint: `trust one of ${list(policy.allow)}, or add this CA to the policy` });
  }
  return out;
};
