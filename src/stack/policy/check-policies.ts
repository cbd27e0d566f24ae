import type { Diagnostic, PolicyExcept, PolicyRule, StackFile } from "../../model/index.js";
import type { PolicyExceptionValue } from "../../model/plan.js";
import type { DesiredState } from "../desired-state.js";
import { diagnose } from "../diagnose.js";
import { locate } from "../locate.js";
import { closest } from "../suggest.js";
import type { RuleCheck } from "./finding.js";
import type { PolicyDeclaration } from "./load-policies.js";
import { RULE_CHECKS } from "./rules.js";

/** `certificates.legacy` excepts it in every environment, `certificates.legacy[prod]` in prod only. */
function excepts(entry: PolicyExcept, address: string): boolean {
  return entry.address === address || entry.address === address.replace(/\[[^\]]*\]$/, "");
}

/**
 * Every policy over every environment it applies to: findings as diagnostics coded policy-<rule> at the
 * offending value, and the findings an except entry lets pass, with its reason, for the plan to show.
 */
export function checkPolicies(stack: StackFile, state: DesiredState, policies: readonly PolicyDeclaration[], now: Date): { diagnostics: Diagnostic[]; exceptions: PolicyExceptionValue[] } {
  const diagnostics: Diagnostic[] = [];
  const exceptions: PolicyExceptionValue[] = [];
  for (const { name, policy, origin } of policies) {
    const check = RULE_CHECKS[policy.rule] as RuleCheck<PolicyRule>;
    const at = locate(origin.src, origin.path, "key");
    const envNames = Object.keys(stack.environments ?? {});
    policy.environments?.forEach((env, i) => {
      if (envNames.includes(env)) return;
      const guess = closest(env, envNames);
      diagnostics.push(diagnose(origin, `policies.${name}`, { code: "unknown-environment", message: `environment "${env}" is not declared`, hint: guess ? `did you mean "${guess}"?` : `use one of: ${envNames.join(", ")}`, field: ["environments", i] }));
    });
    for (const env of state.environments) {
      if (policy.environments && !policy.environments.includes(env.name)) continue;
      for (const f of check(policy, env, { now })) {
        const entry = policy.except?.find((e) => excepts(e, f.instance.address));
        if (entry) {
          exceptions.push({ policy: name, rule: policy.rule, address: f.instance.address, reason: entry.reason, finding: f.message });
          continue;
        }
        const d = diagnose(f.instance.origin, f.instance.address, { severity: policy.severity, code: `policy-${policy.rule}`, message: `policy ${name}: ${f.message}`, hint: `${f.hint}; or add it to policies.${name}.except with a reason`, field: f.field });
        diagnostics.push({ ...d, related: [at] });
      }
    }
    policy.except?.forEach((entry, i) => {
      if (declared(stack, entry.address)) return;
      diagnostics.push({
        severity: "warning",
        code: "policy-except-unmatched",
        ...locate(origin.src, [...origin.path, "except", i, "address"]),
        address: `policies.${name}`,
        message: `policies.${name}: the exception for ${entry.address} matches no resource of stack ${stack.name}`,
        hint: "fix the address (kind.name, e.g. certificates.legacy, optionally [environment]) or remove the exception",
      });
    });
  }
  return { diagnostics, exceptions };
}

function declared(stack: StackFile, address: string): boolean {
  const m = /^([A-Za-z]+)\.([^[]+)(?:\[(.+)\])?$/.exec(address);
  if (!m) return false;
  const [, kind, name, env] = m;
  const section = (stack as Record<string, unknown>)[kind!] as Record<string, { environments?: string[] }> | undefined;
  const spec = section?.[name!];
  if (!spec) return false;
  return env === undefined || (env in (stack.environments ?? {}) && (!spec.environments || spec.environments.includes(env)));
}
