import type { KeyObject } from "node:crypto";
import type { Plan } from "../model/plan.js";
import { certificateInstances, type DesiredState } from "../stack/index.js";
import { fingerprintKey } from "../x509/index.js";

export class StalePlanError extends Error {
  constructor(readonly reasons: string[]) {
    super(`the plan is stale: ${reasons.join("; ")}`);
    this.name = "StalePlanError";
  }
}

/**
 * Checks every source a plan recorded against the stack as read now (by this command, once): a certificate
 * or key that changed since the plan makes it stale. Returns the keys apply sends, held in memory only, by
 * "address|field".
 */
export function keysForPlan(plan: Plan, state: DesiredState): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const reasons: string[] = [];
  for (const s of plan.sources) {
    const found = find(state, s.address);
    if (!found) {
      reasons.push(`${s.address} is no longer declared`);
      continue;
    }
    if (s.field === "certificate") {
      const now = found.material?.chain.map((c) => c.fingerprint256).join(",");
      if (now !== s.fingerprint) reasons.push(`the certificate of ${s.address} changed since the plan`);
      continue;
    }
    const key = found.material?.key;
    if (!key || fingerprintKey(key) !== s.fingerprint) {
      reasons.push(`the ${s.field} of ${s.address} changed since the plan`);
      continue;
    }
    keys.set(`${s.address}|${s.field}`, key);
  }
  if (reasons.length > 0) throw new StalePlanError(reasons);
  return keys;
}

function find(state: DesiredState, address: string) {
  for (const env of state.environments) {
    const hit = [...certificateInstances(env), ...env.trustedCertificates].find((i) => i.address === address);
    if (hit) return hit;
  }
  return undefined;
}
