import type { Diagnostic } from "../model/index.js";
import type { Plan } from "../model/plan.js";
import { diagnose } from "../stack/index.js";
import { liveFingerprints } from "./compare.js";
import type { DesiredObject } from "./desired-objects.js";
import type { NodeOperation } from "./diff-node.js";
import type { LiveIndex } from "./live-index.js";
import { renewalReason } from "./renewal.js";

// Certificates an outside CA signs (generate: { csr }). The key is made on one node of the environment and
// copied, sealed, to the others, so that every node holds the same pending key; the CA's certificate is then
// written with keyFrom and takes it. Looked at across the nodes first, like generated certificates, because
// which node's request is the environment's pending key is a question about all of them.

/** Requests are written before everything else: created first, then copied to the other nodes. */
export const REQUEST_STEP = -2;
export const TRANSFER_STEP = -1;

export const ISSUED = "certificate issued for the pending key";
export const PENDING = "pending: waiting for the signed certificate";

/** What one node does about one csr certificate. */
export interface CsrNodePlan {
  /** Request writes: a new key here, or a sealed copy of the pending one. */
  operations: NodeOperation[];
  /** Whether the stack's signed certificate is written (with keyFrom) or kept: the ordinary certificate diff. */
  certificate: boolean;
  /** The verdict when the certificate is not written, or the reasons a write gets. */
  verdict?: { action: "create" | "update" | "no-op"; reasons: string[] };
  issued?: boolean;
}

export interface CsrPlans {
  /** Per node (in `nodes:` order), by address. */
  nodes: Map<string, CsrNodePlan>[];
  warnings: Plan["warnings"];
  errors: Diagnostic[];
}

const hashOf = (labels: Record<string, string>) => labels["certform.dev/hash"];

export function csrPlans(desired: readonly DesiredObject[], nodes: readonly LiveIndex[], now: Date, environment: string): CsrPlans {
  const out: CsrPlans = { nodes: nodes.map(() => new Map()), warnings: [], errors: [] };
  for (const d of desired) {
    const csr = d.csr;
    if (!csr) continue;
    const wantHash = hashOf(csr.request.labels);
    // A request made from other settings (hosts, subject, key type) is no longer the one the stack asks for.
    const requests = nodes.map((n) => {
      const r = n.requests.get(d.address);
      return r && hashOf(r.labels) === wantHash ? r : undefined;
    });
    const served = nodes.map((n) => n.owned.get(d.address));
    const servesGiven = served.map((l) => l !== undefined && d.material !== undefined && liveFingerprints(l).join(",") === d.material.fingerprints.join(","));
    const issuedFor = csr.keyFingerprint256 !== undefined && requests.some((r) => r?.keyFingerprint256 === csr.keyFingerprint256) ? csr.keyFingerprint256 : undefined;
    const held = requests.find((r) => r !== undefined && (issuedFor === undefined || r.keyFingerprint256 === issuedFor));
    const pendingKey = issuedFor ?? (held && held.keyFingerprint256 !== csr.keyFingerprint256 ? held.keyFingerprint256 : undefined);
    const source = pendingKey === undefined ? -1 : requests.findIndex((r) => r?.keyFingerprint256 === pendingKey);
    const command = `certform csr ${d.address.replace(/\[[^\]]*\]$/, "")} --env ${environment}`;

    // The request every node must hold: a sealed copy of the source's where it lacks it, or a new one.
    const requestOps = (i: number, make: boolean): NodeOperation[] => {
      if (make) {
        if (i === 0) return [{ address: d.address, op: "put", collection: "requests", name: csr.requestName, body: csr.request, step: REQUEST_STEP }];
        return [{ address: d.address, op: "put", collection: "requests", name: csr.requestName, body: { labels: csr.request.labels }, transferFrom: { node: nodes[0]!.node, name: csr.requestName }, step: TRANSFER_STEP }];
      }
      if (requests[i]?.keyFingerprint256 === pendingKey) return [];
      return [{ address: d.address, op: "put", collection: "requests", name: csr.requestName, body: { labels: csr.request.labels }, transferFrom: { node: nodes[source]!.node, name: csr.requestName, keyFingerprint256: pendingKey! }, step: TRANSFER_STEP }];
    };
    const each = (fn: (i: number) => CsrNodePlan) => nodes.forEach((_, i) => out.nodes[i]!.set(d.address, fn(i)));

    if (issuedFor !== undefined) {
      // The CA's certificate for the pending key: written where it is not served yet, with the key on the node.
      each((i) => (servesGiven[i] ? { operations: [], certificate: true } : { operations: requestOps(i, false), certificate: true, issued: true }));
      continue;
    }
    if (d.material && !servesGiven.some(Boolean)) {
      const file = certificateFile(csr.instance.spec.certificate);
      const given = `the certificate in ${file} (key SHA-256 ${csr.keyFingerprint256!.slice(0, 23)}…)`;
      out.errors.push(diagnose(csr.instance.origin, d.address, {
        code: "csr-certificate-mismatch",
        message: pendingKey
          ? `${given} was not issued for the pending key (SHA-256 ${pendingKey.slice(0, 23)}…) that the gateways hold`
          : `${given} cannot be installed: the gateways hold no pending key for it (apply the stack without certificate: first, to have them make one)`,
        hint: `have the CA sign the CSR that \`${command}\` writes, and put that certificate in ${file}`,
        field: ["certificate"],
      }));
      each(() => ({ operations: [], certificate: false, verdict: { action: "no-op", reasons: [] } }));
      continue;
    }
    // Served (or nothing to serve yet): a pending key waits for its certificate; renewal asks for a new one.
    const current = served.find((l, i) => l !== undefined && (d.material === undefined || servesGiven[i]));
    const renewal = current && d.renewBefore ? renewalReason(new Date(String(current.fields.notAfter)), d.renewBefore, now, { force: d.renewNow === true }) : undefined;
    if (pendingKey !== undefined) {
      out.warnings.push({ address: d.address, code: "csr-pending", message: `${PENDING}${renewal ? ` (${renewal}; the current certificate is served until then)` : ""}: \`${command}\` writes the CSR for the CA` });
      each((i) => {
        const operations = requestOps(i, false);
        return { operations, certificate: d.material !== undefined, verdict: operations.length ? { action: "update", reasons: [`drift: ${nodes[i]!.node} lacks the pending key; sealed copy from ${nodes[source]!.node}`] } : { action: "no-op", reasons: [PENDING] } };
      });
      continue;
    }
    if (d.material && !renewal) {
      each(() => ({ operations: [], certificate: true }));
      continue;
    }
    const reason = renewal
      ? `${renewal}: the gateways make a new key and certificate signing request; the current certificate is served until its successor is installed`
      : "the gateways make the key and a certificate signing request; nothing is served until the signed certificate is given";
    each((i) => ({ operations: requestOps(i, true), certificate: d.material !== undefined, verdict: { action: served[i] ? "update" : "create", reasons: [reason] } }));
  }
  return out;
}

function certificateFile(source: unknown): string {
  const s = (source ?? {}) as Record<string, unknown>;
  return typeof s.file === "string" ? s.file : typeof s.pkcs12 === "string" ? s.pkcs12 : "the certificate: source";
}
