import type { Provider } from "../providers/provider.js";
import type { DesiredState } from "../stack/index.js";
import type { PlanProblem } from "./diff-node.js";

// What an environment declares that its gateway cannot hold is a plan error for that environment, never a
// silent skip: a stack that says JWKs are published must not plan to "converge" without them.

export function capabilityProblems(state: DesiredState, providers: ReadonlyMap<string, Provider>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const env of state.environments) {
    const provider = providers.get(env.name);
    if (!provider) continue;
    const can = provider.capabilities();
    const refuse = (address: string, what: string) =>
      problems.push({
        address,
        code: "unsupported",
        message: `the ${provider.kind} gateway of environment ${env.name} cannot hold ${what}`,
        hint: `limit it to environments whose gateway can (environments: [...]), or remove it`,
      });
    if (!can.jwks) for (const j of env.jwks) refuse(j.address, "JWKs");
    if (!can.requests) {
      for (const c of env.certificates) {
        if (!c.spec.generate?.csr) continue;
        problems.push({
          address: c.address,
          code: "unsupported",
          message: `the ${provider.kind} gateway of environment ${env.name} cannot make a key for a certificate signing request (generate: { csr }): it only serves keys it is given`,
          hint: "make the key and CSR yourself and give the signed certificate as certificate: with key:, or limit this certificate to environments with embedded gateways (environments: [...])",
        });
      }
    }
    if (can.defaultCertificate === false) for (const c of env.certificates) if (c.spec.default) refuse(c.address, "a default certificate (its bind is strict-sni)");
    for (const a of env.trustAssignments) {
      if (a.spec.scope === "management" && !can.managementTrust) refuse(a.address, "management-scope trust (it makes no outbound calls of its own)");
      if (a.spec.scope === "clients" && !can.clientTrust) refuse(a.address, "client-certificate trust (scope: clients)");
    }
  }
  return problems;
}
