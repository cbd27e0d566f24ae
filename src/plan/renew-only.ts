import { parseAddress } from "../model/index.js";
import type { Plan } from "../model/plan.js";
import type { DesiredState } from "../stack/index.js";
import type { PlanProblem } from "./diff-node.js";

// `certform renew ADDRESS`: the plan of just that renewal. The stack is planned as usual with the certificate
// marked due, then cut down to its replacement and what follows it (its JWKs), so that nothing else pending
// in the stack is applied behind the user's back.

/** The instance addresses `text` names among the generated certificates of the planned environments. */
export function renewTargets(state: DesiredState, text: string): { addresses: string[] } | { problem: PlanProblem } {
  const refuse = (code: string, message: string, hint: string) => ({ problem: { address: text, code, message, hint } });
  let address;
  try {
    address = parseAddress(text);
  } catch (err) {
    return refuse("bad-address", (err as Error).message, "e.g. certform renew certificates.api or certificates.api[prod]");
  }
  const planned = state.environments.map((e) => e.name);
  const notGenerated = (what: string) =>
    refuse("not-generated", `${text} is not a generated certificate: ${what}`, "renew renews certificates declared with generate:; a certificate from a file or another source is renewed by replacing its source and running apply");
  if (address.kind !== "certificates") return notGenerated(`it is one of the ${address.kind}`);
  const instances = state.environments.flatMap((e) => e.certificates).filter((c) => c.name === address.name && (address.environment === undefined || c.environment === address.environment));
  if (instances.length === 0) {
    const where = address.environment === undefined ? `any planned environment (${planned.join(", ")})` : `environment ${address.environment}`;
    return refuse("not-declared", `${text} is not declared in ${where}`, planned.length ? "name a certificate of the stack, and an environment it is declared in (--env)" : "check --env");
  }
  const brought = instances.find((c) => !c.spec.generate);
  if (brought) return notGenerated(`its certificate comes from ${Object.keys(brought.spec.certificate ?? {}).join(", ") || "its source"}`);
  return { addresses: instances.map((c) => c.address) };
}

/** The plan cut down to the renewal of `addresses` and the changes it causes (the JWKs that follow it). */
export function renewalOnly(plan: Plan, addresses: readonly string[]): Plan {
  const targets = new Set(addresses);
  const kept = new Set(addresses);
  for (const c of plan.resource_changes) if (targets.has(c.address)) for (const jwk of c.impact.jwks) kept.add(jwk);
  const changes = plan.resource_changes.filter((c) => kept.has(c.address) && (targets.has(c.address) || c.action !== "no-op"));
  const summary = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
  for (const c of changes) summary[c.action]++;
  const environments = new Set(changes.map((c) => c.environment));
  return {
    ...plan,
    summary,
    resource_changes: changes,
    environments: plan.environments.filter((e) => environments.has(e.name)).map((e) => ({ ...e, operations: e.operations.filter((o) => kept.has(o.address)) })),
    warnings: plan.warnings.filter((w) => w.address === null || kept.has(w.address)),
    sources: plan.sources.filter((s) => kept.has(s.address)),
  };
}
