import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { BackendAgents } from "./backend-agents.js";
import { clientAccess, endpointAccess } from "./client-auth.js";
import { forward } from "./proxy.js";
import { sendError } from "./respond.js";
import { hasDotSegment, matchRoute, splitTarget, targetPath } from "./routes.js";
import type { Snapshot } from "./snapshot.js";
import { EMPTY_CA_SET } from "./truststores.js";

export const JWKS_PATH = "/.well-known/jwks.json";

// Paths are echoed in errors for the caller's benefit; a cap keeps a huge one from being echoed whole.
const shown = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

export function requestHandler(current: () => Snapshot, agents: BackendAgents, timeoutMs: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const snap = current();
    const denial = clientAccess(req.socket as TLSSocket, req.headers.host, snap.policies);
    if (denial) return sendError(res, denial.status, denial.error);

    const target = splitTarget(req.url);
    if (!target) return sendError(res, 400, { code: "bad-request", message: "the request target must be a path (origin form)" });
    if (target.path === JWKS_PATH) return serveJwks(req, res, snap.jwks);
    if (hasDotSegment(target.path)) return sendError(res, 400, { code: "bad-path", message: "the path contains a '.' or '..' segment", path: shown(target.path) });

    const match = matchRoute(snap.routes, target.path);
    if (!match) return sendError(res, 404, { code: "no-route", message: `no endpoint's path matches ${JSON.stringify(shown(target.path))}`, path: shown(target.path) });
    const { route, rest } = match;
    const refused = endpointAccess(req.socket as TLSSocket, route.endpoint, snap.policies);
    if (refused) return sendError(res, refused.status, refused.error);
    forward(req, res, { endpoint: route.endpoint, target: route.target, path: targetPath(route.target, rest, target.search), trust: snap.endpointTrust.get(route.endpoint) ?? EMPTY_CA_SET }, agents, timeoutMs);
  };
}

function serveJwks(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return sendError(res, 405, { code: "method-not-allowed", message: `${JWKS_PATH} answers GET and HEAD` }, { allow: "GET, HEAD" });
  }
  res.writeHead(200, {
    "content-type": "application/jwk-set+json",
    "content-length": Buffer.byteLength(body),
    // Short: relying parties re-fetch soon enough to see a rotated key, without asking on every token.
    "cache-control": "public, max-age=60",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
