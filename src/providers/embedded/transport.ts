import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";

// One HTTP(S) exchange with a node, as plain data: no retries, no meaning given to statuses. node:http(s)
// rather than fetch, because an HTTPS admin API signed by the stack's own CA needs `ca` per connection,
// and because only a socket tells whether a failed request ever reached the node (see `sent`).

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /**
   * A new connection instead of a pooled one. A pooled socket is connected already, so a failure on it
   * cannot tell "never reached the node" from "lost after the node acted"; a fresh one can.
   */
  fresh?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * refused: nothing reached the node. network: the connection failed (reset, hang-up, unreachable host).
 * timeout: no complete answer in time. tls: the node's certificate is not trusted (retrying cannot help).
 */
export type FailureKind = "refused" | "network" | "timeout" | "tls" | "other";

export interface TransportFailure {
  kind: FailureKind;
  /** The system's error code (ECONNRESET …), for the message. */
  errno: string;
  /** Whether a connection to the node was established, i.e. the request may have been acted on. */
  sent: boolean;
}

export type Outcome = { ok: true; response: HttpResponse } | { ok: false; failure: TransportFailure };

export interface Transport {
  send(req: HttpRequest): Promise<Outcome>;
  close(): void;
}

// A node that answers with more than this is not the admin API (or is broken): stop reading.
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

const NETWORK = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EAI_AGAIN", "ECONNABORTED"]);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL|^EPROTO$/;

export function classify(err: NodeJS.ErrnoException, timedOut: boolean): FailureKind {
  const code = err.code ?? "";
  if (timedOut) return "timeout";
  if (code === "ECONNREFUSED") return "refused";
  if (NETWORK.has(code) || err.message === "socket hang up") return "network";
  if (TLS.test(code)) return "tls";
  return "other";
}

export function createTransport(opts: { ca: string | undefined; timeoutMs: number }): Transport {
  const tls = opts.ca === undefined ? {} : { ca: opts.ca };
  const pooled = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true, ...tls }) };
  const fresh = { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false, ...tls }) };

  return {
    send(req) {
      const secure = req.url.protocol === "https:";
      const agents = req.fresh ? fresh : pooled;
      return new Promise<Outcome>((resolve) => {
        let settled = false;
        let timedOut = false;
        let sent = false;
        const finish = (outcome: Outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(outcome);
        };
        const fail = (err: NodeJS.ErrnoException) => finish({ ok: false, failure: { kind: classify(err, timedOut), errno: timedOut ? "timeout" : (err.code ?? err.message), sent } });

        const headers: Record<string, string | number> = { accept: "application/json", ...req.headers };
        if (req.body !== undefined) {
          headers["content-type"] = "application/json";
          headers["content-length"] = Buffer.byteLength(req.body);
        }
        const request = (secure ? httpsRequest : httpRequest)(req.url, { method: req.method, headers, agent: secure ? agents.https : agents.http });
        // The whole exchange must finish in time, not merely each read: a node that trickles bytes is stuck too.
        const timer = setTimeout(() => {
          timedOut = true;
          request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }));
        }, opts.timeoutMs);

        request.on("socket", (socket: Socket) => {
          if (!socket.connecting) sent = true;
          else socket.once("connect", () => (sent = true));
        });
        request.on("error", fail);
        request.on("response", (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) return void request.destroy(Object.assign(new Error("response too large"), { code: "ERESPONSETOOLARGE" }));
            chunks.push(chunk);
          });
          res.on("error", fail);
          // A connection cut mid-answer: 'close' without 'end' (the error event is not guaranteed on every Node).
          res.on("close", () => {
            if (!res.complete) fail(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
          });
          res.on("end", () => finish({ ok: true, response: { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") } }));
        });
        request.end(req.body);
      });
    },
    close() {
      for (const agent of [pooled.http, pooled.https, fresh.http, fresh.https]) agent.destroy();
    },
  };
}
