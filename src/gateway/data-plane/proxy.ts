import { request as httpRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { pipeline } from "node:stream";
import type { BackendAgents } from "./backend-agents.js";
import { backendFailure, BackendTimeout } from "./backend-errors.js";
import { backendRequestHeaders, clientResponseHeaders } from "./headers.js";
import { sendError } from "./respond.js";
import type { CaSet } from "./truststores.js";

export interface ProxyTarget {
  endpoint: string;
  target: URL;
  /** Path and query to request from the backend. */
  path: string;
  trust: CaSet;
}

/** Streams one request to the backend and its answer back; failures before the answer become JSON errors. */
export function forward(req: IncomingMessage, res: ServerResponse, t: ProxyTarget, agents: BackendAgents, timeoutMs: number): void {
  const secure = t.target.protocol === "https:";
  const hostname = t.target.hostname.replace(/^\[(.*)\]$/, "$1");
  const options: RequestOptions & { servername?: string } = {
    protocol: t.target.protocol,
    hostname,
    port: t.target.port || (secure ? 443 : 80),
    path: t.path,
    method: req.method,
    headers: backendRequestHeaders(req, t.target),
    agent: secure ? agents.https(t.endpoint, t.trust) : agents.http,
    timeout: timeoutMs,
  };
  // SNI carries names only (RFC 6066); for an IP the certificate is then checked against its IP SANs.
  if (secure) options.servername = isIP(hostname) ? "" : hostname;
  const upstream = (secure ? httpsRequest : httpRequest)(options);

  upstream.on("timeout", () => upstream.destroy(new BackendTimeout(`the backend did not answer within ${timeoutMs} ms`)));
  upstream.on("error", (err: NodeJS.ErrnoException) => {
    req.unpipe(upstream);
    if (res.headersSent) {
      // Part of the backend's answer is out: cut the connection so the client sees it incomplete.
      res.destroy();
      return;
    }
    const failure = backendFailure(err, t.endpoint, hostname);
    sendError(res, failure.status, failure.error);
  });
  upstream.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, clientResponseHeaders(answer));
    pipeline(answer, res, (err) => {
      if (err) upstream.destroy();
    });
  });
  // A client that goes away takes its backend request with it.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  // pipe, not pipeline: a failed backend must not destroy the client's request (and its connection)
  // before the 502 is written.
  req.pipe(upstream);
}
