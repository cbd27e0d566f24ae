import type { CertificateCopyBody } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import { certFields } from "../../x509/index.js";
import { activeLock, fail, leafOf, lockedFailure } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { sendFailure, sendJson } from "./http-io.js";
import { LOCK_HOLDER_HEADER } from "./preconditions.js";

/**
 * POST /v1/certificates/{name}/copy: the chain and key of a generated certificate, so that apply can give
 * every other node of the environment the same one. The only answer that holds a private key, so it is
 * narrow: generated certificates only (a brought key comes from the stack), and only to the holder of the
 * node's lock, which a running apply is and a stray client with the token is not.
 */
export function copyCertificate(ctx: RequestContext, name: string): void {
  const state = ctx.store.state();
  const lock = activeLock(state, ctx.now);
  const header = ctx.req.headers[LOCK_HOLDER_HEADER];
  const holder = Array.isArray(header) ? header[0] : header;
  if (!lock) {
    return sendFailure(ctx.res, fail(409, "not-locked", "a generated certificate is copied only by the holder of the node's lock", { hint: `take the lock (POST /v1/lock), then send ${LOCK_HOLDER_HEADER} with its holder` }));
  }
  if (lock.holder !== holder) return sendFailure(ctx.res, lockedFailure(lock));
  const c = state.certificates.get(name);
  if (!c) return sendFailure(ctx.res, fail(404, "not-found", `there is no certificate ${quoteValue(name)}`));
  if (!c.generated) {
    return sendFailure(ctx.res, fail(409, "not-generated", `certificate ${quoteValue(name)} was brought with its key, not generated: only a generated certificate is copied`, { hint: "a brought certificate's key comes from the stack's key source" }));
  }
  const leaf = leafOf(c.chainPem);
  const body: CertificateCopyBody = { name: c.name, chain: c.chainPem, key: c.keyPem, fingerprint256: leaf.fingerprint256, keyFingerprint256: certFields(leaf).keyFingerprint256 };
  sendJson(ctx.res, 200, body);
}
