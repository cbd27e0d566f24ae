import { LABEL, MANAGEMENT_OBJECT } from "../model/index.js";
import { desiredObjects, type DesiredObject } from "../plan/desired-objects.js";
import type { LiveNode, LiveObject } from "../providers/provider.js";
import type { EnvironmentState } from "../stack/index.js";
import { verifyAdminCertificate } from "./admin-certificate.js";
import type { VerificationProblem, VerifyTarget } from "./types.js";
import { verifyEnvironment } from "./verify.js";

// Verification against the stack (`certform verify`, and apply after it wrote): every node must serve what
// the stack declares. What the stack knows (a certificate from a file) is expected from the stack; what
// only the gateway knows (a generated certificate, the kid of a JWK from one) is expected from the node,
// and must be the same on every node of the environment.

export interface StackVerifyOptions {
  stack: string;
  now: Date;
  timeoutMs?: number;
  concurrency?: number;
}

export interface EnvironmentVerification {
  problems: VerificationProblem[];
  /** Declared objects checked on every node. */
  checked: { certificates: number; jwks: number; endpoints: number };
}

/** Checks every node of one environment as read (`nodes`, in the order of the stack's `nodes:`). */
export async function verifyAgainstStack(env: EnvironmentState, nodes: readonly LiveNode[], opts: StackVerifyOptions): Promise<EnvironmentVerification> {
  const desired = desiredObjects(opts.stack, env, opts.now);
  const count = (collection: DesiredObject["collection"]) => desired.filter((d) => d.collection === collection).length;
  const checked = { certificates: count("certificates"), jwks: count("jwks"), endpoints: count("endpoints") };
  const problems: VerificationProblem[] = [...clusterDifferences(env.name, desired, nodes, opts.stack)];
  for (const node of nodes) {
    if (!node.listen) {
      problems.push({ environment: env.name, node: node.node, address: `environments.${env.name}`, code: "no-listener", message: `environment ${env.name}, node ${node.node}: the node does not say where it serves TLS, so it cannot be verified` });
      continue;
    }
    const { target, missing } = targetFor(env.name, node, desired.filter((d) => d.objectName !== MANAGEMENT_OBJECT || d.collection !== "certificates"), opts.stack);
    const management = desired.find((d) => d.collection === "certificates" && d.objectName === MANAGEMENT_OBJECT);
    const managementFingerprint = management?.material?.fingerprints[0];
    if (management && managementFingerprint) {
      if (!ownedBy(node, opts.stack).has(management.address)) missing.push({ environment: env.name, node: node.node, address: management.address, code: "certificate-missing", message: `environment ${env.name}, node ${node.node}: ${management.address} is declared but the node does not hold it; run certform apply` });
      const wrong = await verifyAdminCertificate(env.name, node.node, management.address, managementFingerprint, opts.timeoutMs ?? 5000);
      if (wrong) problems.push(wrong);
    }
    problems.push(...missing);
    const endpointTrust = node.objects.filter((o) => o.collection === "endpoints").map((o) => ({ name: o.name, path: String(o.fields.path), labels: o.labels, trustedAliases: (o.fields.trustedAliases as string[]) ?? [] }));
    problems.push(...(await verifyEnvironment(target, { readEndpoints: async () => endpointTrust, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) })));
  }
  return { problems, checked };
}

function ownedBy(node: LiveNode, stack: string): Map<string, LiveObject> {
  const owned = new Map<string, LiveObject>();
  for (const o of node.objects) {
    const address = o.labels[LABEL.address];
    if (address && o.labels[LABEL.stack] === stack) owned.set(address, o);
  }
  return owned;
}

function targetFor(environment: string, node: LiveNode, desired: readonly DesiredObject[], stack: string): { target: VerifyTarget; missing: VerificationProblem[] } {
  const owned = ownedBy(node, stack);
  const target: VerifyTarget = { environment, nodes: [{ admin: node.node, listen: node.listen! }], certificates: [], jwks: [], endpoints: [] };
  const missing: VerificationProblem[] = [];
  const absent = (d: DesiredObject, what: string) =>
    missing.push({ environment, node: node.node, address: d.address, code: `${what}-missing`, message: `environment ${environment}, node ${node.node}: ${d.address} is declared but the node does not hold it; run certform apply` });

  for (const d of desired) {
    const live = owned.get(d.address);
    // A certificate an outside CA has not signed yet is served nowhere, on purpose.
    if (d.csr && !d.material) continue;
    if (d.collection === "certificates") {
      const hosts = (d.settings.hosts as string[]) ?? [];
      const isDefault = d.settings.default === true;
      const fingerprint256 = d.material?.fingerprints[0] ?? (live?.fields.fingerprint256 as string | undefined);
      if (!live) absent(d, "certificate");
      // A certificate from the stack is checked even where the node lacks it: the handshake shows what is served instead.
      if (fingerprint256) target.certificates.push({ address: d.address, hosts, fingerprint256, default: isDefault });
    } else if (d.collection === "jwks") {
      if (!live) {
        absent(d, "jwk");
        continue;
      }
      // A disconnected JWK keeps its old key on purpose; a linked one publishes the kid its certificate gives.
      const known = d.summary.settings.kid;
      const kid = live.fields.source !== null && typeof known === "string" && d.jwk && isKnownKid(known) ? known : String(live.fields.kid);
      target.jwks.push({ address: d.address, kid });
    } else if (d.collection === "endpoints") {
      const trustedAliases = desired.filter((t) => t.collection === "trust" && t.settings.endpoint === d.objectName && t.settings.scope === undefined).map((t) => String(t.settings.alias));
      target.endpoints.push({ address: d.address, path: String(d.settings.path), trustedAliases });
    }
  }
  return { target, missing };
}

const isKnownKid = (kid: string) => kid !== "(known after apply)";

/** Generated certificates (and so their JWKs) that are not the same on every node that holds them. */
function clusterDifferences(environment: string, desired: readonly DesiredObject[], nodes: readonly LiveNode[], stack: string): VerificationProblem[] {
  if (nodes.length < 2) return [];
  const owned = nodes.map((n) => ownedBy(n, stack));
  const out: VerificationProblem[] = [];
  for (const d of desired) {
    if (d.collection !== "certificates" || d.material || d.csr) continue;
    const held = nodes.flatMap((n, i) => {
      const fp = owned[i]!.get(d.address)?.fields.fingerprint256;
      return typeof fp === "string" ? [{ node: n.node, fp }] : [];
    });
    if (new Set(held.map((h) => h.fp)).size <= 1) continue;
    out.push({
      environment,
      node: held.map((h) => h.node).join(", "),
      address: d.address,
      code: "nodes-differ",
      message: `environment ${environment}: the nodes serve different generated certificates for ${d.address} (${held.map((h) => `${h.node}: SHA-256 ${h.fp}`).join("; ")}); every node of an environment must serve the same one: run certform plan to see the drift, and apply to repair it`,
      expected: [held[0]!.fp],
    });
  }
  return out;
}
