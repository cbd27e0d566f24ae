import { certificateInstances } from "../desired-state.js";
import { day, DAY_MS, servedLeaf, type PolicyFinding, type RuleCheck } from "./finding.js";

// Generated certificates are made fresh at apply, so only material from a source can be too close to its end.
export const checkMinDaysLeft: RuleCheck<"minDaysLeftAtDeploy"> = (policy, env, { now }) => {
  const out: PolicyFinding[] = [];
  for (const c of certificateInstances(env)) {
    const leaf = servedLeaf(c);
    if (!leaf) continue;
    const left = Math.floor((Date.parse(leaf.validTo) - now.getTime()) / DAY_MS);
    if (left < policy.days) {
      out.push({ instance: c, field: ["certificate"], message: `the certificate has ${left} days left (until ${day(leaf.validTo)}), fewer than the policy's ${policy.days} at deploy`, hint: `renew it before deploying: at least ${policy.days} days must be left` });
    }
  }
  return out;
};
