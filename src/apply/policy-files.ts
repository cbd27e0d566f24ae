import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Plan, PolicyFileValue } from "../model/plan.js";

const same = (a: string, b: string) => resolve(a) === resolve(b);

/**
 * The --policy files `apply PLANFILE` checks the stack against: those the plan was made with (a file that is
 * gone is left to stalePolicyFiles to report), then those given now that the plan does not name already.
 */
export function policyFilesForSavedPlan(saved: Plan, given: readonly string[] = []): string[] {
  const recorded = (saved.policy_files ?? []).map((f) => f.path);
  return [...recorded.filter((p) => existsSync(p)), ...given.filter((g) => !recorded.some((p) => same(p, g)))];
}

/**
 * A saved plan was approved under its policy files: one that changed, or is gone, since the plan was made
 * makes the plan stale, as a changed certificate or key does.
 */
export function stalePolicyFiles(saved: Plan, read: readonly PolicyFileValue[]): string[] {
  const reasons: string[] = [];
  for (const f of saved.policy_files ?? []) {
    const now = read.find((r) => same(r.path, f.path));
    if (!now) reasons.push(`the policy file ${f.path} the plan was checked against is gone`);
    else if (now.sha256 !== f.sha256) reasons.push(`the policy file ${f.path} changed since the plan (sha256 ${f.sha256.slice(0, 12)}… then, ${now.sha256.slice(0, 12)}… now)`);
  }
  return reasons;
}
