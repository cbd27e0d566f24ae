import { dnsSans } from "../../x509/index.js";
import { hostField, servedLeaf, type PolicyFinding, type RuleCheck } from "./finding.js";

export const checkWildcards: RuleCheck<"wildcards"> = (policy, env) => {
  if (!policy.forbidden) return [];
  const out: PolicyFinding[] = [];
  const hint = "list each host by name instead of a wildcard";
  for (const c of env.certificates) {
    const seen = new Set<string>();
    c.hosts.forEach((host, i) => {
      if (!host.includes("*")) return;
      seen.add(host.toLowerCase());
      out.push({ instance: c, field: hostField(c, i), message: `host ${host} is a wildcard, which the policy forbids`, hint });
    });
    const leaf = servedLeaf(c);
    let sans: string[] = [];
    try {
      sans = leaf ? dnsSans(leaf) : [];
    } catch {
      // Unreadable SANs are reported on the certificate itself.
    }
    for (const san of sans) {
      if (!san.includes("*") || seen.has(san.toLowerCase())) continue;
      seen.add(san.toLowerCase());
      out.push({ instance: c, field: ["certificate"], message: `the certificate carries the wildcard name ${san}, which the policy forbids`, hint: "reissue it without wildcard names" });
    }
  }
  return out;
};
