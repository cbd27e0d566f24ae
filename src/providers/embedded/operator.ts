import { ProviderError, type ApplyOptions, type Operation } from "../provider.js";
import type { AdminClient } from "./client.js";
import { badResponse } from "./errors.js";
import { batchOperation, describeOperation, revisionOf } from "./transformer.js";

// Applying operations to a node: one POST /v1/batch, so a node ends with all of them or none, at one new
// revision. Ordering is the caller's (the plan's dependency order); this only sends it.

/** The admin API's limit on one batch. Splitting would give up atomicity, so a larger list is refused. */
export const MAX_BATCH = 1000;

export async function applyOperations(client: AdminClient, node: string, operations: readonly Operation[], opts: ApplyOptions = {}): Promise<{ revision: number }> {
  const headers: Record<string, string> = {};
  if (opts.lockHolder !== undefined) headers["x-certform-lock-holder"] = opts.lockHolder;
  if (opts.ifRevision !== undefined) headers["if-match"] = `"${opts.ifRevision}"`;
  const ifRevision = opts.ifRevision !== undefined ? { ifRevision: opts.ifRevision } : {};

  if (operations.length === 0) return currentRevision(client, node, opts.ifRevision);
  if (operations.length > MAX_BATCH) {
    throw new ProviderError(`node ${node}: ${operations.length} operations are more than one batch takes (${MAX_BATCH})`, "too-many-operations", node, undefined, { count: operations.length }, "apply the stack in parts (--env, or fewer resources per stack)");
  }

  let res;
  try {
    res = await client.call(node, { method: "POST", path: "/v1/batch", body: { operations: operations.map(batchOperation) }, headers, safety: "once", ...ifRevision });
  } catch (err) {
    throw withOperation(err, operations);
  }
  const revision = revisionOf(res.json, res.headers.etag);
  if (revision === undefined) throw badResponse({ node, method: "POST", path: "/v1/batch", attempts: 1 }, res.status, "no revision in the batch result");
  return { revision };
}

/** The batch answers with the failing operation's `index`: say which operation that was, by name only. */
function withOperation(err: unknown, operations: readonly Operation[]): unknown {
  if (!(err instanceof ProviderError)) return err;
  const index = err.details?.index;
  const op = typeof index === "number" ? operations[index] : undefined;
  if (!op) return err;
  const operation = { index, op: op.op, collection: op.collection, name: op.name };
  const message = err.message.replace(/^(node \S+: POST \S+: )/, `$1operation ${index} (${describeOperation(op)}): `);
  const wrapped = new ProviderError(message, err.code, err.node, err.status, { ...err.details, operation }, err.hint);
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
