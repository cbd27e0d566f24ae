import type { KeyObject } from "node:crypto";
import type { ApplyProgressEvent } from "../model/apply-report.js";
import type { Plan, PlannedOperationValue } from "../model/plan.js";
import type { Operation, Provider } from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";
import { generatedMaterial, type GeneratedMaterial } from "./generated-material.js";
import type { ApplyResult, OperationOutcome, VerificationProblem } from "./result.js";

export interface ExecuteOptions {
  /** The provider of each environment, by name. */
  providers: ReadonlyMap<string, Provider>;
  keys: ReadonlyMap<string, KeyObject>;
  lockHolder: string;
  /** How many nodes are written at once. */
  parallelism: number;
  /** After each environment; returns what does not serve as declared. */
  verify?: (environment: Plan["environments"][number]) => Promise<VerificationProblem[]>;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent = ApplyProgressEvent;

/**
 * Executes a plan exactly as planned: environments in order, steps in order, every node of an environment
 * brought to the same state. Each node receives one step as one atomic batch, guarded by the revision it
 * was planned (or last written) at. It never diffs again.
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<ApplyResult> {
  const outcomes: OperationOutcome[] = [];
  const verification: VerificationProblem[] = [];
  let error: string | undefined;

  for (const env of plan.environments) {
    const provider = opts.providers.get(env.name)!;
    const revisions = new Map(env.nodes.map((n) => [n.node, n.revision]));
    const material = generatedMaterial(provider, opts.lockHolder, { nodes: env.nodes.map((n) => n.node), keys: opts.keys });
    const steps = [...new Set(env.operations.map((o) => o.step))].sort((a, b) => a - b);
    const total = env.operations.reduce((n, o) => n + o.nodes.length, 0);
    let done = 0;
    opts.onProgress?.({ type: "environment", environment: env.name, total });
    const record = (o: PlannedOperationValue, node: string, state: OperationOutcome["state"], err?: string) => {
      const outcome: OperationOutcome = { environment: env.name, node, address: o.address, op: o.op, collection: o.collection, name: o.name, state };
      if (err) outcome.error = err;
      outcomes.push(outcome);
      if (state !== "not-applied") opts.onProgress?.({ type: "operation", outcome, done: ++done, total });
    };

    for (const step of steps) {
      if (error) break;
      const work = env.nodes.map((n) => ({ node: n.node, ops: env.operations.filter((o) => o.step === step && o.nodes.includes(n.node)) })).filter((w) => w.ops.length > 0);
      await inBatches(work, opts.parallelism, async ({ node, ops }) => {
        try {
          const sent = await Promise.all(ops.map((o) => toOperation(o, opts.keys, material, node)));
          const ifRevision = revisions.get(node);
          const result = await provider.apply(node, sent, { lockHolder: opts.lockHolder, ...(ifRevision !== undefined ? { ifRevision } : {}) });
          revisions.set(node, result.revision);
          for (const o of ops) record(o, node, "applied");
        } catch (err) {
          const message = describe(err, node);
          error ??= `${env.name}: node ${node}: ${message}`;
          const details = err instanceof ProviderError ? err.details : undefined;
          const failedIndex = typeof details?.index === "number" ? details.index : undefined;
          // A step larger than one request went in several batches: those before the failing one were applied.
          const appliedBefore = typeof details?.applied === "number" ? details.applied : 0;
          const batchEnd = typeof details?.batchEnd === "number" ? details.batchEnd : ops.length;
          // A batch is all or nothing: the failing operation is named, the rest of it was not applied.
          ops.forEach((o, i) => {
            if (i < appliedBefore) record(o, node, "applied");
            else if (i >= batchEnd) record(o, node, "not-applied");
            else record(o, node, failedIndex === undefined || failedIndex === i ? "failed" : "not-applied", failedIndex === undefined || failedIndex === i ? message : undefined);
          });
        }
      });
    }
    if (error) {
      // What was planned and never sent is reported as such, so a re-run knows what is left.
      const sent = new Set(outcomes.filter((o) => o.environment === env.name).map((o) => `${o.node}\u0000${o.address}\u0000${o.op}\u0000${o.name}`));
      for (const o of env.operations) for (const node of o.nodes) if (!sent.has(`${node}\u0000${o.address}\u0000${o.op}\u0000${o.name}`)) record(o, node, "not-applied");
      for (const later of plan.environments.slice(plan.environments.indexOf(env) + 1)) {
        for (const o of later.operations) for (const node of o.nodes) outcomes.push({ environment: later.name, node, address: o.address, op: o.op, collection: o.collection, name: o.name, state: "not-applied" });
      }
      break;
    }
    if (opts.verify) {
      const problems = await opts.verify(env);
      opts.onProgress?.({ type: "verify", environment: env.name, problems: problems.length });
      if (problems.length > 0) {
        verification.push(...problems);
        error = `${env.name}: verification failed: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`;
        break;
      }
    }
  }

  const applied = new Set(outcomes.filter((o) => o.state === "applied").map((o) => o.address));
  const summary = { created: 0, updated: 0, replaced: 0, deleted: 0 };
  for (const c of plan.resource_changes) {
    if (c.action === "no-op" || !applied.has(c.address)) continue;
    summary[({ create: "created", update: "updated", replace: "replaced", delete: "deleted" } as const)[c.action]]++;
  }
  const result: ApplyResult = { ok: error === undefined, stack: plan.stack, summary, operations: outcomes, verification };
  if (error) result.error = error;
  return result;
}

// Every node of an environment gets the same key: it is encoded once (OpenSSL's encoder costs about as much
// as its decoder), and kept only as long as the key object itself.
const pkcs8Pem = new WeakMap<KeyObject, string>();

async function toOperation(o: PlannedOperationValue, keys: ReadonlyMap<string, KeyObject>, material: GeneratedMaterial, node: string): Promise<Operation> {
  if (o.op === "delete") return { op: "delete", collection: o.collection, name: o.name };
  let body = { ...o.body };
  // An ACME account key signs the order at the CA; it never goes to a gateway (generated-material.ts).
  if (o.keyRef && o.keyRef.field !== "generate.acme.key") {
    const key = keys.get(`${o.keyRef.address}|${o.keyRef.field}`);
    if (!key) throw new Error(`the key of ${o.keyRef.address} was not read`);
    let pem = pkcs8Pem.get(key);
    if (pem === undefined) pkcs8Pem.set(key, (pem = key.export({ type: "pkcs8", format: "pem" }).toString()));
    if (o.keyRef.field === "key") body.key = pem;
    else {
      const generate = body.generate as { issuer: Record<string, unknown> };
      body = { ...body, generate: { ...generate, issuer: { ...generate.issuer, key: pem } } };
    }
  }
  return { op: "put", collection: o.collection, name: o.name, body: await material.bodyFor(o, body, node) };
}

/** The failure in words, without the node: each report line names it already (the provider's messages start with it). */
function describe(err: unknown, node: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`node ${node}: `) ? message.slice(`node ${node}: `.length) : message;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(size, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  });
  await Promise.all(workers);
}
