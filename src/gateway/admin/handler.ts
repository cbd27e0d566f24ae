import type { IncomingMessage, ServerResponse } from "node:http";
import { looksLikeKeyMaterial } from "../../model/redact.js";
import { fail, statusView, type Store } from "../store/index.js";
import type { AcmeChallenges } from "../acme-challenges.js";
import { acmeChallengeRoute } from "./acme-route.js";
import { bearerCheck } from "./auth.js";
import { batch } from "./batch.js";
import { copyCertificate } from "./copy-route.js";
import { deleteObject, getObject, listObjects, postObject, putObject } from "./collections.js";
import type { RequestContext } from "./context.js";
import { DEFAULT_MAX_BODY_BYTES, sendFailure, sendJson } from "./http-io.js";
import { acquire, release, renew } from "./lock-routes.js";
import { renderMetrics, requestCounter } from "./metrics.js";
import { probeRoute } from "./probe.js";
import { newTransferKey } from "../seal.js";
import { getRequest, listRequests, sealRoute, transferKeyRoute } from "./request-routes.js";
import { matchRoute, METHODS, type Route } from "./routes.js";

export interface AdminOptions {
  store: Store;
  /** When set, every request (metrics included) needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  now?: () => Date;
  /** Where internal errors are reported; default stderr. Gets no request body, so never a key. */
  log?: (line: string) => void;
  /** The node's data plane URL (e.g. https://127.0.0.1:8443), shown as `listen` in /v1/status. */
  listenUrl?: string;
  /** The ACME challenge responses its listeners serve; without, /v1/acme/challenges answers 404. */
  challenges?: AcmeChallenges;
}

/** The admin API (v1) as a node:http request listener, for http.createServer or https.createServer. */
export function createAdminHandler(opts: AdminOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const authorize = bearerCheck(opts.token);
  const requests = requestCounter();
  const now = opts.now ?? (() => new Date());
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const transferKey = newTransferKey();

  return (req, res) => {
    res.on("finish", () => requests.count(req.method, res.statusCode));
    const url = new URL(req.url ?? "/", "http://admin.invalid");
    const ctx: RequestContext = { req, res, url, store: opts.store, now: now(), maxBodyBytes, transferKey, ...(opts.listenUrl !== undefined ? { listenUrl: opts.listenUrl } : {}) };
    handle(ctx, authorize, () => renderMetrics(opts.store.state(), ctx.now, requests), opts.challenges).catch((err: unknown) => {
      const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      log(`certform gateway: internal error on ${req.method} ${url.pathname}: ${looksLikeKeyMaterial(what) ? "(message withheld: it may hold key material)" : what}`);
      if (!res.headersSent) sendFailure(res, fail(500, "internal", "the node failed to handle this request; see its log"));
      else res.destroy();
    });
  };
}

async function handle(ctx: RequestContext, authorize: ReturnType<typeof bearerCheck>, metrics: () => string, challenges: AcmeChallenges | undefined): Promise<void> {
  const { req, res } = ctx;
  // Before routing: without the token, nothing about the API (not even which paths exist) is told.
  const denied = authorize(req.headers.authorization);
  if (denied) return sendFailure(res, denied);
  const route = matchRoute(ctx.url.pathname);
  if (!route) return sendFailure(res, fail(404, "not-found", "no such route; the admin API lives under /v1/ (see docs/gateway.md)"));
  const method = req.method ?? "GET";
  if (!METHODS[route.kind].includes(method)) {
    return sendFailure(res, fail(405, "method-not-allowed", `${method} is not allowed here; allowed: ${METHODS[route.kind].join(", ")}`), { allow: METHODS[route.kind].join(", ") });
  }
  if (route.kind === "acme-challenge") return acmeChallengeRoute(ctx, challenges, route.token, method);
  return dispatch(ctx, route, method, metrics);
}

function dispatch(ctx: RequestContext, route: Exclude<Route, { kind: "acme-challenge" }>, method: string, metrics: () => string): void | Promise<void> {
  switch (route.kind) {
    case "status":
      return sendJson(ctx.res, 200, statusView(ctx.store.state(), ctx.now, ctx.listenUrl), { etag: `"${ctx.store.state().revision}"` });
    case "metrics": {
      const text = metrics();
      ctx.res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
      return void ctx.res.end(text);
    }
    case "batch":
      return batch(ctx);
    case "lock":
      return method === "POST" ? acquire(ctx) : release(ctx);
    case "lock-renew":
      return renew(ctx);
    case "probe":
      return probeRoute(ctx);
    case "collection":
      return method === "GET" ? listObjects(ctx, route.collection) : postObject(ctx, route.collection);
    case "certificate-copy":
      return copyCertificate(ctx, route.name);
    case "requests":
      return listRequests(ctx);
    case "request":
      return getRequest(ctx, route.name);
    case "request-seal":
      return sealRoute(ctx, route.name);
    case "transfer-key":
      return transferKeyRoute(ctx);
    case "object":
      if (method === "GET") return getObject(ctx, route.collection, route.name);
      if (method === "PUT") return putObject(ctx, route.collection, route.name);
      return deleteObject(ctx, route.collection, route.name);
  }
}
