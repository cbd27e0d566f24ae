import type { KeyObject } from "node:crypto";
import type { Plan } from "../model/plan.js";
import { readStack, type DesiredState } from "../stack/index.js";
import { fingerprintKey } from "../x509/index.js";

export class StalePlanError extends Error {
  constructor(readonly reasons: string[]) {
    super(`the plan is stale: ${reasons.join("; ")}`);
    this.name = "StalePlanError";
  }
}

/**
 * Re-reads the stack a plan was made from and checks every source it recorded: a certificate or key that
 * changed since makes the plan stale. Returns the keys apply sends, held in memory only, by "address|field".
 */
export async function keysForPlan(plan: Plan, opts: { env?: NodeJS.ProcessEnv; state?: DesiredState } = {}): Promise<Map<string, KeyObject>> {
  const needed = plan.sources.filter((s) => s.field !== "certificate");
  const checks = plan.sources;
  if (checks.length === 0) return new Map();
  // A plan made moments ago in this process comes with the state it was made from: reading it again would
  // only repeat the file reads and url captures.
  const fresh = opts.state
    ? { state: opts.state, diagnostics: [] }
    : await readStack(plan.stack_paths, { env: opts.env ?? process.env, ...(plan.options.environments ? { environments: plan.options.environments } : {}) });
  const errors = fresh.diagnostics.filter((d) => d.severity === "error");
  if (!fresh.state || errors.length > 0) {
    throw new StalePlanError([`the stack no longer loads cleanly (${errors[0] ? `${errors[0].file}:${errors[0].line}:${errors[0].column}: ${errors[0].message}` : "no state"})`]);
  }
  const keys = new Map<string, KeyObject>();
  const reasons: string[] = [];
  for (const s of checks) {
    const found = find(fresh.state, s.address);
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
    if (needed.includes(s)) keys.set(`${s.address}|${s.field}`, key);
  }
  if (reasons.length > 0) throw new StalePlanError(reasons);
  return keys;
}

function find(state: DesiredState, address: string) {
  for (const env of state.environments) {
    const hit = [...env.certificates, ...env.trustedCertificates].find((i) => i.address === address);
    if (hit) return hit;
  }
  return undefined;
}
