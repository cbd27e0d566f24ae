import { LABEL } from "../model/index.js";
import type { Plan } from "../model/plan.js";
import type { Provider } from "../providers/provider.js";
import type { VerificationProblem } from "./result.js";
import { verifyEnvironment, type VerifyTarget } from "./verify.js";

/**
 * After an environment is applied: read every node back and check over TLS that it serves what the plan
 * declared. Each node is its own target, since a generated certificate has a key (and fingerprint) per node.
 */
export async function verifyPlannedEnvironment(env: Plan["environments"][number], provider: Provider, plan?: Plan): Promise<VerificationProblem[]> {
  const problems: VerificationProblem[] = [];
  for (const n of env.nodes) {
    const live = await provider.read(n.node);
    if (!live.listen) {
      problems.push({ environment: env.name, node: n.node, address: `environments.${env.name}`, code: "no-listener", message: `node ${n.node} does not say where it serves TLS, so it cannot be verified` });
      continue;
    }
    const owned = live.objects.filter((o) => o.labels[LABEL.address]?.endsWith(`[${env.name}]`) && o.labels[LABEL.stack] === (plan?.stack ?? o.labels[LABEL.stack]));
    const declared = new Set((plan?.resource_changes ?? []).filter((c) => c.environment === env.name && c.action !== "delete").map((c) => c.address));
    const isDeclared = (address: string | undefined) => address !== undefined && (declared.size === 0 || declared.has(address));
    const target: VerifyTarget = { environment: env.name, nodes: [{ admin: n.node, listen: live.listen }], certificates: [], jwks: [], endpoints: [] };
    for (const o of owned) {
      const address = o.labels[LABEL.address];
      if (!isDeclared(address)) continue;
      if (o.collection === "certificates") {
        target.certificates.push({ address: address!, hosts: (o.fields.hosts as string[]) ?? [], fingerprint256: String(o.fields.fingerprint256), default: o.fields.default === true });
        const planned = plan?.resource_changes.find((c) => c.address === address)?.after?.certificate?.fingerprint256;
        if (planned && planned !== o.fields.fingerprint256) {
          problems.push({ environment: env.name, node: n.node, address: address!, code: "wrong-certificate", message: `node ${n.node} holds ${String(o.fields.fingerprint256)} for ${address}, the plan declared ${planned}` });
        }
      }
      if (o.collection === "jwks" && typeof o.fields.kid === "string") target.jwks.push({ address: address!, kid: o.fields.kid });
    }
    const aliasesOf = new Map<string, string[]>();
    for (const c of plan?.resource_changes ?? []) {
      if (c.environment !== env.name || c.kind !== "trustAssignments" || c.action === "delete" || !c.after) continue;
      const endpoint = c.after.settings.endpoint;
      // scope: clients with an endpoint is that endpoint's clients' trust, not its backend's.
      if (typeof endpoint === "string" && c.after.settings.scope === undefined) aliasesOf.set(endpoint, [...(aliasesOf.get(endpoint) ?? []), String(c.after.settings.alias)]);
    }
    for (const o of owned) {
      if (o.collection !== "endpoints" || !isDeclared(o.labels[LABEL.address])) continue;
      target.endpoints.push({ address: o.labels[LABEL.address]!, path: String(o.fields.path), trustedAliases: aliasesOf.get(o.name) ?? [] });
    }
    const endpointTrust = live.objects.filter((o) => o.collection === "endpoints").map((o) => ({ name: o.name, path: String(o.fields.path), labels: o.labels, trustedAliases: (o.fields.trustedAliases as string[]) ?? [] }));
    for (const f of await verifyEnvironment(target, { readEndpoints: async () => endpointTrust })) problems.push(f);
  }
  return problems;
}
