import { durationDays } from "../../model/index.js";
import { certificateInstances } from "../desired-state.js";
import { day, servedLeaf, validityDays, type PolicyFinding, type RuleCheck } from "./finding.js";

export const checkMaxValidity: RuleCheck<"maxValidity"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  const max = durationDays(policy.max);
  for (const c of certificateInstances(env)) {
    const generate = c.spec.generate;
    // An ACME CA decides the validity of what it issues.
    if (generate && !generate.acme && !generate.csr && durationDays(generate.validity) > max) {
      out.push({ instance: c, field: ["generate", "validity"], message: `it is generated with validity ${generate.validity}, longer than the policy's max ${policy.max}`, hint: `set generate.validity to ${policy.max} or less` });
    }
    const leaf = servedLeaf(c);
    if (!leaf) continue;
    const days = validityDays(leaf);
    if (days > max) {
      out.push({ instance: c, field: ["certificate"], message: `the certificate is valid for ${Math.round(days)} days (${day(leaf.validFrom)} to ${day(leaf.validTo)}), longer than the policy's max ${policy.max}`, hint: `reissue it valid for at most ${policy.max}` });
    }
  }
  return out;
};
