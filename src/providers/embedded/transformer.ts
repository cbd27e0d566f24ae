import type { LiveCollection, LiveObject, LockInfo, Operation } from "../provider.js";

// Between the admin API's shapes (src/gateway/api/admin-api.ts) and the provider's. The embedded gateway's
// views are the reference shapes of LiveObject.fields, so this is mostly taking identity, labels and
// bookkeeping out of the view; other providers' transformers do the real translation.

/** Members of a view that are not content: they have their own place in a LiveObject, or none. */
const NOT_FIELDS = new Set(["name", "labels", "updatedRevision"]);

/** A view from GET /v1/{collection}, or undefined when it lacks an identity (then the caller reports a bad answer). */
export function liveObject(collection: LiveCollection, view: Record<string, unknown>): LiveObject | undefined {
  // A trusted certificate is known by its alias; a trust binding's `alias` is content (what it binds).
  const identity = collection === "trusted" ? view.alias : view.name;
  if (typeof identity !== "string") return undefined;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(view)) {
    if (NOT_FIELDS.has(k) || (collection === "trusted" && k === "alias")) continue;
    // Keys are write-only: a view never has one, and if a node ever sent one it stops here.
    if (k === "key") continue;
    fields[k] = v;
  }
  const object: LiveObject = { collection, name: identity, labels: stringMap(view.labels), fields };
  if (typeof view.updatedRevision === "number") object.updatedRevision = view.updatedRevision;
  return object;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The revision of a read: the body's `revision`, else the ETag (`"7"`, `W/"7"`). */
export function revisionOf(body: unknown, etag: string | string[] | undefined): number | undefined {
  if (isRecord(body) && Number.isSafeInteger(body.revision)) return body.revision as number;
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec((Array.isArray(etag) ? etag[0] : etag)?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}

export function lockInfo(body: unknown): LockInfo | undefined {
  if (!isRecord(body)) return undefined;
  const { holder, purpose, since, expiresAt } = body;
  if (typeof holder !== "string" || typeof since !== "string" || typeof expiresAt !== "string") return undefined;
  return { holder, purpose: typeof purpose === "string" ? purpose : "", since, expiresAt };
}

/** An operation as POST /v1/batch takes it: the same shape, bodies passed through untouched. */
export function batchOperation(op: Operation): Record<string, unknown> {
  return op.op === "put" ? { op: "put", collection: op.collection, name: op.name, body: op.body } : { op: "delete", collection: op.collection, name: op.name };
}

/** How an operation is named in a message: never with its body. */
export const describeOperation = (op: Operation): string => `${op.op} ${op.collection}/${op.name}`;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
