import { SealRequest } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import { activeLock, fail, isFailure, lockedFailure, requestList, requestOf, requestView, schemaFailure, sealRequest } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { etag, readJson, sendFailure, sendJson } from "./http-io.js";
import { LOCK_HOLDER_HEADER } from "./preconditions.js";

// Pending signing requests are written by POST /v1/batch (collection `requests`); these routes read them,
// and hand a request's key to another node of the environment sealed to that node alone.

export function listRequests(ctx: RequestContext): void {
  const state = ctx.store.state();
  sendJson(ctx.res, 200, { revision: state.revision, items: requestList(state) }, etag(state.revision));
}

export function getRequest(ctx: RequestContext, name: string): void {
  const state = ctx.store.state();
  const r = requestOf(state, name);
  if (!r) return sendFailure(ctx.res, fail(404, "not-found", `there is no signing request ${quoteValue(name)}`, { hint: "certform apply creates it from generate: { csr: … }" }));
  sendJson(ctx.res, 200, requestView(r), etag(state.revision));
}

export function transferKeyRoute(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { publicKey: ctx.transferKey.publicKey });
}

/**
 * POST /v1/requests/{name}/seal: the request, key included, sealed to the transfer key in the body, so that
 * apply can give another node the same pending key without ever holding it. Only the holder of the node's
 * lock may ask, as for copies of generated certificates.
 */
export async function sealRoute(ctx: RequestContext, name: string): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const parsed = SealRequest.safeParse(body.value);
  if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
  const state = ctx.store.state();
  const lock = activeLock(state, ctx.now);
  const header = ctx.req.headers[LOCK_HOLDER_HEADER];
  const holder = Array.isArray(header) ? header[0] : header;
  if (!lock) return sendFailure(ctx.res, fail(409, "not-locked", "a pending request is sealed only for the holder of the node's lock", { hint: `take the lock (POST /v1/lock), then send ${LOCK_HOLDER_HEADER} with its holder` }));
  if (lock.holder !== holder) return sendFailure(ctx.res, lockedFailure(lock));
  const r = requestOf(state, name);
  if (!r) return sendFailure(ctx.res, fail(404, "not-found", `there is no signing request ${quoteValue(name)}`));
  try {
    sendJson(ctx.res, 200, { name, keyFingerprint256: r.keyFingerprint256, sealed: sealRequest(r, parsed.data.recipient) });
  } catch (err) {
    sendFailure(ctx.res, fail(422, "recipient-invalid", `recipient: ${err instanceof Error ? err.message : String(err)}`, { field: "recipient", hint: "send the publicKey that GET /v1/transfer-key of the receiving node answers" }));
  }
}
