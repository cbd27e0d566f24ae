import { ProviderError, type ApplyOptions, type Operation } from "../provider.js";
import type { AdminClient } from "./client.js";
import { badResponse } from "./errors.js";
import { sleep } from "./retry.js";
import { batchOperation, describeOperation, lockInfo, revisionOf } from "./transformer.js";

// Applying operations to a node: POST /v1/batch, so a node ends with all of a batch's operations or none, at
// one new revision. A step too large for one request (contract §4) goes in several batches, in order, each
// guarded by the revision the previous one left: another writer in between makes the next one fail as
// stale, never interleave. Ordering is the caller's (the plan's dependency order); this only sends it.

/** The admin API's limit on the operations of one batch. */
export const MAX_BATCH = 1000;
/** Under the admin API's default body limit (1 MiB), with room for the envelope. */
export const MAX_BATCH_BYTES = 900 * 1024;

/** Consecutive runs of operations that each fit one request; an operation larger than the limit goes alone. */
export function batchesOf(operations: readonly Operation[], limits = { count: MAX_BATCH, bytes: MAX_BATCH_BYTES }): Operation[][] {
  const out: Operation[][] = [];
  let current: Operation[] = [];
  let bytes = 0;
  for (const op of operations) {
    const size = Buffer.byteLength(JSON.stringify(batchOperation(op))) + 1;
    if (current.length > 0 && (current.length >= limits.count || bytes + size > limits.bytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(op);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function applyOperations(client: AdminClient, node: string, operations: readonly Operation[], opts: ApplyOptions = {}): Promise<{ revision: number }> {
  if (operations.length === 0) return currentRevision(client, node, opts.ifRevision);
  let guard = opts.ifRevision;
  let applied = 0;
  let revision = 0;
  for (const batch of batchesOf(operations)) {
    const headers: Record<string, string> = {};
    if (opts.lockHolder !== undefined) headers["x-certform-lock-holder"] = opts.lockHolder;
    if (guard !== undefined) headers["if-match"] = `"${guard}"`;
    let next: number;
    try {
      next = await sendBatch(client, node, batch, headers, guard, opts.lockHolder);
    } catch (err) {
      throw withOperation(err, batch, { applied, end: applied + batch.length });
    }
    revision = next;
    guard = next;
    applied += batch.length;
  }
  return { revision };
}

/**
 * One batch, sent again when its outcome was lost (a 5xx, a reset or a timeout once it was sent) and the node
 * says it did not apply it. A batch is not idempotent, but a guarded one can be settled: the node's revision is
 * still the guard (it did not apply; sending it again under the same guard cannot apply it twice), or it moved
 * by exactly one while this apply holds the node's lock, so no one else could write (it applied). Anything else
 * stays an error whose outcome is unknown, as does a batch without a guard.
 */
async function sendBatch(client: AdminClient, node: string, batch: readonly Operation[], headers: Record<string, string>, guard: number | undefined, lockHolder: string | undefined): Promise<number> {
  const call = { method: "POST", path: "/v1/batch", body: { operations: batch.map(batchOperation) }, headers, safety: "once", ...(guard !== undefined ? { ifRevision: guard } : {}) } as const;
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await client.call(node, call);
    } catch (err) {
      // A 412 to a batch sent again may be its first sending's success (the node was only slow): settled the same way.
      const unsettled = err instanceof ProviderError && (err.details?.outcome === "unknown" || (attempt > 1 && err.code === "stale"));
      if (guard === undefined || !unsettled || attempt > client.retries) throw err;
      const now = await nodeState(client, node).catch(() => undefined);
      if (now?.revision === guard) {
        await sleep(client.backoff(attempt));
        continue;
      }
      if (now !== undefined && lockHolder !== undefined && now.holder === lockHolder && now.revision === guard + 1) return now.revision;
      throw err;
    }
    const next = revisionOf(res.json, res.headers.etag);
    if (next === undefined) throw badResponse({ node, method: "POST", path: "/v1/batch", attempts: attempt }, res.status, "no revision in the batch result");
    return next;
  }
}

async function nodeState(client: AdminClient, node: string): Promise<{ revision: number | undefined; holder: string | undefined }> {
  const res = await client.call(node, { method: "GET", path: "/v1/status", safety: "idempotent" });
  return { revision: revisionOf(res.json, res.headers.etag), holder: lockInfo((res.json as { lock?: unknown }).lock ?? null)?.holder };
}

/** The batch answers with the failing operation's `index`: say which operation that was, by name only. */
/**
 * `details.applied`: how many of the operations earlier batches applied; `details.batchEnd`: where the failing
 * batch ends (the operations from there on were not sent). `details.index` is counted over all operations.
 */
function withOperation(err: unknown, operations: readonly Operation[], at: { applied: number; end: number }): unknown {
  if (!(err instanceof ProviderError)) return err;
  const local = err.details?.index;
  const op = typeof local === "number" ? operations[local] : undefined;
  const progress = { applied: at.applied, batchEnd: at.end };
  if (!op) {
    const message = at.applied > 0 ? `${err.message} (the ${at.applied} operations before this batch were applied)` : err.message;
    const wrapped = new ProviderError(message, err.code, err.node, err.status, { ...err.details, ...progress }, err.hint);
    wrapped.stack = err.stack;
    return wrapped;
  }
  const index = at.applied + (local as number);
  const operation = { index, op: op.op, collection: op.collection, name: op.name };
  const message = err.message.replace(/^(node \S+: POST \S+: )/, `$1operation ${index} (${describeOperation(op)}): `);
  const wrapped = new ProviderError(message, err.code, err.node, err.status, { ...err.details, index, operation, ...progress }, err.hint);
  wrapped.stack = err.stack;
  return wrapped;
}

/** Nothing to send: the answer is the node's revision, and a stale plan is still refused. */
async function currentRevision(client: AdminClient, node: string, ifRevision: number | undefined): Promise<{ revision: number }> {
  const res = await client.call(node, { method: "GET", path: "/v1/status", safety: "idempotent" });
  const revision = revisionOf(res.json, res.headers.etag);
  if (revision === undefined) throw badResponse({ node, method: "GET", path: "/v1/status", attempts: 1 }, res.status, "no revision in the status");
  if (ifRevision !== undefined && revision !== ifRevision) {
    throw new ProviderError(`node ${node}: the store is at revision ${revision}, not ${ifRevision}`, "stale", node, 412, { revision, expected: ifRevision }, "the node changed since it was read: plan again");
  }
  return { revision };
}
