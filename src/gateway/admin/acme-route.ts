import type { AcmeChallenges } from "../acme-challenges.js";
import { AcmeChallengeRequest } from "../api/admin-api.js";
import { activeLock, fail, isFailure, lockedFailure, schemaFailure } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { readJson, sendFailure, sendJson } from "./http-io.js";
import { LOCK_HOLDER_HEADER } from "./preconditions.js";

/**
 * PUT and DELETE /v1/acme/challenges/{token}: the response this node serves for one ACME challenge while
 * an apply orders a certificate. Only the holder of the node's lock writes them: a response makes the
 * listener answer a CA for a host, which is what proves control of it.
 */
export async function acmeChallengeRoute(ctx: RequestContext, challenges: AcmeChallenges | undefined, token: string, method: string): Promise<void> {
  if (!challenges) return sendFailure(ctx.res, fail(404, "not-found", "this node does not answer ACME challenges"));
  const lock = activeLock(ctx.store.state(), ctx.now);
  const header = ctx.req.headers[LOCK_HOLDER_HEADER];
  const holder = Array.isArray(header) ? header[0] : header;
  if (!lock) {
    return sendFailure(ctx.res, fail(409, "not-locked", "ACME challenge responses are written only by the holder of the node's lock", { hint: `take the lock (POST /v1/lock), then send ${LOCK_HOLDER_HEADER} with its holder` }));
  }
  if (lock.holder !== holder) return sendFailure(ctx.res, lockedFailure(lock));
  if (method === "DELETE") {
    const existed = challenges.delete(token);
    return sendJson(ctx.res, 200, { token, deleted: existed });
  }
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const parsed = AcmeChallengeRequest.safeParse(body.value);
  if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
  const failed = challenges.put(token, parsed.data);
  if (failed) return sendFailure(ctx.res, failed);
  sendJson(ctx.res, 200, { token, type: parsed.data.type, ...(parsed.data.type === "tls-alpn-01" ? { host: parsed.data.host } : {}) });
}
