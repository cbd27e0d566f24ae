import { hostCovered } from "../../x509/index.js";
import { hostField, list, type PolicyFinding, type RuleCheck } from "./finding.js";

/** A host pattern: the name itself, or `*.example.com` for one label below example.com. */
export function hostAllowed(pattern: string, host: string): boolean {
  return pattern.toLowerCase() === host.toLowerCase() || hostCovered(host, [pattern]);
}

export const checkHosts: RuleCheck<"hosts"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  for (const c of env.certificates) {
    c.hosts.forEach((host, i) => {
      if (policy.allow.some((p) => hostAllowed(p, host))) return;
      out.push({ instance: c, field: hostField(c, i), message: `host ${host} is outside what the policy allows in ${env.name} (${list(policy.allow)})`, hint: `serve only hosts matching ${list(policy.allow)} in ${env.name}` });
    });
  }
  return out;
};
