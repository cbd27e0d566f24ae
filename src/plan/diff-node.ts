import { createHash } from "node:crypto";
import { KIND_OF_COLLECTION, LABEL, stepOf } from "../model/index.js";
import type { PlannedOperationValue } from "../model/plan.js";
import type { LiveObject } from "../providers/provider.js";
import { copyBody, type GeneratedCopyPlan } from "./cluster-generated.js";
import { compare } from "./compare.js";
import { ISSUED, type CsrNodePlan } from "./csr-requests.js";
import type { DesiredObject } from "./desired-objects.js";
import { DISCONNECT_STEP, diffJwk, sourceAddressOf, standaloneJwk } from "./diff-jwk.js";
import { nameKey, type LiveIndex } from "./live-index.js";

export interface NodeVerdict {
  action: "create" | "update" | "replace" | "delete" | "no-op";
  reasons: string[];
  live?: LiveObject;
}

export type NodeOperation = Omit<PlannedOperationValue, "nodes">;

export interface PlanProblem {
  address: string;
  /** The node concerned, where the problem is one node's. */
  node?: string;
  code: string;
  message: string;
  hint: string;
}

export interface NodeDiff {
  verdicts: Map<string, NodeVerdict>;
  operations: NodeOperation[];
  problems: PlanProblem[];
}

export interface DiffOptions {
  stack: string;
  prune: boolean;
  adopt: boolean;
  now: Date;
  /** This node's copies of generated certificates that other nodes of the environment serve, by address. */
  copies?: ReadonlyMap<string, GeneratedCopyPlan>;
  /** This node's part in certificates an outside CA signs, by address (csr-requests.ts). */
  csr?: ReadonlyMap<string, CsrNodePlan>;
}

/** The changes that bring one node to the desired objects of its environment. */
export function diffNode(desired: readonly DesiredObject[], live: LiveIndex, opts: DiffOptions): NodeDiff {
  const verdicts = new Map<string, NodeVerdict>();
  const operations: NodeOperation[] = [];
  const problems: PlanProblem[] = [];
  /** The gateway name each certificate and trusted certificate will have once the plan is applied. */
  const names = new Map<string, string>();
  const replaced = new Set<string>();
  const taken = new Set([...live.byName.keys()]);
  const put = (d: DesiredObject, name: string, body: Record<string, unknown>, step = stepOf(d.kind, "put"), copyFrom?: GeneratedCopyPlan["from"]) => {
    const op: NodeOperation = { address: d.address, op: "put", collection: d.collection, name, body, step, ...(copyFrom ? { copyFrom } : {}) };
    if (d.keyRef && ("chain" in body || "generate" in body) && keyUsedBy(d.keyRef.field, body)) op.keyRef = d.keyRef;
    operations.push(op);
  };

  /** The object that stands for each declared address, where the node holds more than one (see below). */
  const kept = new Map<string, LiveObject>();
  for (const d of desired) {
    const owned = standingFor(d, live, opts);
    if (owned) kept.set(d.address, owned);
    const sameName = live.byName.get(nameKey(d.collection, d.objectName));
    let current = owned;
    if (!current && sameName) {
      const owner = sameName.labels[LABEL.stack];
      if (owner && owner !== opts.stack) {
        problems.push({ address: d.address, code: "owned-by-other-stack", message: `${d.collection} ${JSON.stringify(d.objectName)} on ${live.node} belongs to stack ${JSON.stringify(owner)}`, hint: "certform never changes another stack's objects: rename this one, or remove it from the other stack first" });
        continue;
      }
      if (!opts.adopt) {
        problems.push({ address: d.address, code: "name-collision", message: `${d.collection} ${JSON.stringify(d.objectName)} already exists on ${live.node} and this stack does not own it`, hint: "rename it in the stack, or plan with --adopt to take the existing object over" });
        continue;
      }
      current = sameName;
    }

    if (d.collection === "jwks") {
      diffJwk(d, current, { live, names, replaced, verdicts, put });
      continue;
    }
    const csr = opts.csr?.get(d.address);
    if (csr) {
      operations.push(...csr.operations);
      if (!csr.certificate) {
        if (current) names.set(d.address, current.name);
        verdicts.set(d.address, { ...csr.verdict!, ...(current ? { live: current } : {}) });
        continue;
      }
    }
    // A generated certificate that other nodes serve: this node gets a copy of it rather than its own, under
    // the name it has there when that is free, so that the nodes keep holding the same objects.
    const copy = opts.copies?.get(d.address);
    const body = copy ? copyBody(d, copy) : d.body;
    const newName = (seed: string) => (copy && !taken.has(nameKey(d.collection, copy.from.name)) ? copy.from.name : freeName(d.collection, d.objectName, taken, seed));
    if (!current) {
      const name = newName(d.address);
      taken.add(nameKey(d.collection, name));
      names.set(d.address, name);
      put(d, name, body, undefined, copy?.from);
      verdicts.set(d.address, { action: "create", reasons: copy ? [copy.reason] : [] });
      continue;
    }
    names.set(d.address, current.name);
    const adopted = current !== owned;
    const c = copy ? { action: "replace" as const, reasons: [copy.reason] } : compare(d, current, opts.now);
    if (c.action === "replace" && copy && current.name === copy.from.name) {
      // The copy takes the place of what this node holds under the same name, in one atomic write that its
      // linked JWKs follow: no handshake sees a gap, and the names stay those of the other nodes.
      replaced.add(d.address);
      put(d, current.name, body, undefined, copy.from);
    } else if (c.action === "replace" && d.collection === "certificates") {
      // Create before destroy: the new certificate serves its hosts (the newest wins) before the old one goes.
      const name = newName(`${d.address}\u0000${current.name}`);
      taken.add(nameKey(d.collection, name));
      names.set(d.address, name);
      replaced.add(d.address);
      put(d, name, body, undefined, copy?.from);
      operations.push({ address: d.address, op: "delete", collection: d.collection, name: current.name, step: stepOf(d.kind, "delete") });
    } else if (c.action === "replace") {
      // A trusted certificate keeps its alias: the gateway swaps its content at once.
      replaced.add(d.address);
      put(d, current.name, d.body);
    } else if (c.action === "update" || adopted) {
      // Settings only: a certificate keeps its chain and key on the gateway (a generated key cannot be sent again).
      const body = d.collection === "certificates" ? { hosts: d.body.hosts, default: d.body.default, labels: d.body.labels } : d.body;
      put(d, current.name, body);
    }
    const reasons = adopted ? [`adopted: taking over the existing ${d.collection} ${JSON.stringify(current.name)}`, ...c.reasons] : c.reasons;
    verdicts.set(d.address, { action: adopted && c.action === "no-op" ? "update" : c.action, reasons, live: current });
  }

  for (const [address, csr] of opts.csr ?? []) {
    const v = verdicts.get(address);
    if (!v || !csr.certificate) continue;
    if (csr.issued && (v.action === "create" || v.action === "replace")) v.reasons = [ISSUED];
    else if (v.action === "no-op" && csr.verdict) verdicts.set(address, { ...csr.verdict, ...(v.live ? { live: v.live } : {}) });
  }

  const desiredAddresses = new Set(desired.map((d) => d.address));
  if (opts.prune) {
    // A pending request whose certificate is no longer declared goes with it.
    for (const [address, r] of live.requests) {
      if (desiredAddresses.has(address)) continue;
      if (r.labels[LABEL.protect] === "true") {
        // Its key is the only one the CA's certificate for this request can ever be installed with.
        if (!live.owned.has(address)) problems.push({ address, code: "protected", message: `${address} is no longer declared, but its pending signing request is protected (protect: true) and will not be deleted`, hint: "declare it again, or plan with --no-prune; to delete it, first apply it with protect: false" });
        continue;
      }
      operations.push({ address, op: "delete", collection: "requests", name: r.name, step: stepOf("certificates", "delete") });
      if (!live.owned.has(address)) verdicts.set(address, { action: "delete", reasons: ["no longer declared in the stack (a pending signing request)"] });
    }
  }
  const deleted = new Set<string>();
  if (opts.prune) {
    for (const [address, obj] of live.owned) {
      if (desiredAddresses.has(address)) continue;
      if (obj.labels[LABEL.protect] === "true") {
        problems.push({ address, code: "protected", message: `${address} is no longer declared, but it is protected (protect: true) and will not be deleted`, hint: "declare it again, or plan with --no-prune; to delete it, first apply it with protect: false" });
        continue;
      }
      deleted.add(address);
    }
  }
  for (const address of deleted) {
    const obj = live.owned.get(address)!;
    const kind = KIND_OF_COLLECTION[obj.collection];
    const source = obj.collection === "jwks" ? sourceAddressOf(obj, live) : undefined;
    if (source && deleted.has(source) && obj.labels[LABEL.onCertificateDelete] === "disconnect") {
      operations.push({ address, op: "put", collection: "jwks", name: obj.name, body: standaloneJwk(obj, source, { release: true }), step: DISCONNECT_STEP });
      verdicts.set(address, { action: "update", reasons: [`released, kept on the gateway standalone: ${source} is deleted (onCertificateDelete: disconnect)`], live: obj });
      continue;
    }
    operations.push({ address, op: "delete", collection: obj.collection, name: obj.name, step: stepOf(kind, "delete") });
    const reasons = source && deleted.has(source) ? [`${source} is deleted (onCertificateDelete: delete)`] : ["no longer declared in the stack"];
    verdicts.set(address, { action: "delete", reasons, live: obj });
  }
  // A second object of one address is half of an interrupted replacement: the one that stands for the resource
  // stays, the other goes (after the puts, as a replacement's old object does), so the node ends with one.
  for (const obj of [...live.leftovers, ...live.owned.values()]) {
    const address = obj.labels[LABEL.address]!;
    // Declared: every object but the one that stands goes. No longer declared: the newest is deleted above.
    const stays = desiredAddresses.has(address) ? kept.get(address) === obj : !deleted.has(address) || live.owned.get(address) === obj;
    if (stays) continue;
    operations.push({ address, op: "delete", collection: obj.collection, name: obj.name, step: stepOf(KIND_OF_COLLECTION[obj.collection], "delete") });
    const reason = `${obj.collection} ${JSON.stringify(obj.name)} is a second copy of it, left by an interrupted apply: deleted`;
    const verdict = verdicts.get(address) ?? { action: "no-op", reasons: [], live: live.owned.get(address) };
    verdicts.set(address, { ...verdict, action: verdict.action === "no-op" ? "update" : verdict.action, reasons: [...verdict.reasons, reason] });
  }
  return { verdicts, operations, problems };
}

/**
 * Of the stack's objects at a declared address, the one the diff compares: the newest (live-index.ts), unless
 * another already matches the declaration, which then stays and spares a replacement. Several happen only when
 * a replacement was interrupted; they are rare, so comparing each costs nothing in the common case.
 */
function standingFor(d: DesiredObject, live: LiveIndex, opts: DiffOptions): LiveObject | undefined {
  const newest = live.owned.get(d.address);
  const others = newest ? live.leftovers.filter((o) => o.labels[LABEL.address] === d.address) : [];
  if (others.length === 0 || d.collection === "jwks" || opts.copies?.has(d.address)) return newest;
  return [newest!, ...others].find((o) => compare(d, o, opts.now).action !== "replace") ?? newest;
}

/** The preferred name when free in its collection; otherwise a stable variant of it. */
function freeName(collection: DesiredObject["collection"], preferred: string, taken: Set<string>, seed: string): string {
  if (!taken.has(nameKey(collection, preferred))) return preferred;
  const suffix = createHash("sha256").update(seed).digest("hex").slice(0, 8);
  return `${preferred.slice(0, 54)}--${suffix}`;
}

/** Whether a put's body needs the referenced key: a copy of a generated certificate needs neither the issuer's nor the ACME account's. */
function keyUsedBy(field: NonNullable<NodeOperation["keyRef"]>["field"], body: Record<string, unknown>): boolean {
  if (field === "key") return true;
  const generate = (body.generate as Record<string, unknown> | undefined) ?? {};
  return field === "generate.issuer.key" ? "issuer" in generate : "acme" in generate;
}
