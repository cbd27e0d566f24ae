import { LockReleaseRequest, LockRenewRequest, LockRequest } from "../api/admin-api.js";
import type { StoredLock } from "../state.js";
import { acquireLock, forceReleaseLock, isFailure, lockView, releaseLock, renewLock, schemaFailure } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { readJson, sendFailure, sendJson } from "./http-io.js";

// Lock commits keep the revision (bumpRevision: false): a plan saved before the lock was taken
// stays valid under it, as `apply PLANFILE` requires.
const KEEP = { bumpRevision: false };

/** POST /v1/lock: acquire, or renew when the same holder asks again. */
export async function acquire(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const parsed = LockRequest.safeParse(body.value);
  if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
  const result = await ctx.store.commit((s) => acquireLock(s, parsed.data, ctx.now), KEEP);
  if (!result.ok) return sendFailure(ctx.res, result.failure);
  sendJson(ctx.res, 200, lockView(result.state.lock!));
}

/** POST /v1/lock/renew {holder, ttlSeconds?}. */
export async function renew(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const parsed = LockRenewRequest.safeParse(body.value);
  if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
  const result = await ctx.store.commit((s) => renewLock(s, parsed.data, ctx.now), KEEP);
  if (!result.ok) return sendFailure(ctx.res, result.failure);
  sendJson(ctx.res, 200, lockView(result.state.lock!));
}

/** DELETE /v1/lock with {holder}, or ?force=true to release whoever holds it. Answers with the released lock. */
export async function release(ctx: RequestContext): Promise<void> {
  const force = ctx.url.searchParams.get("force") === "true";
  const body = await readJson(ctx.req, ctx.maxBodyBytes, { optional: true });
  if (isFailure(body)) return sendFailure(ctx.res, body);
  let holder: string | undefined;
  if (!force) {
    const parsed = LockReleaseRequest.safeParse(body.value ?? {});
    if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
    holder = parsed.data.holder;
  }
  let released: StoredLock | undefined;
  const result = await ctx.store.commit((s) => {
    const r = holder === undefined ? forceReleaseLock(s) : releaseLock(s, holder, ctx.now);
    if (isFailure(r)) return r;
    released = r.released;
    return r.state;
  }, KEEP);
  if (!result.ok) return sendFailure(ctx.res, result.failure);
  sendJson(ctx.res, 200, lockView(released!));
}
