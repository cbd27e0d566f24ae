import type { ClientRequest } from "node:http";
import { request } from "node:https";
import { isIP } from "node:net";
import { connect, createSecureContext, type SecureContext, type TLSSocket } from "node:tls";
import { looksLikeKeyMaterial, quoteValue } from "../model/redact.js";
import { describeSocketError } from "../x509/socket-errors.js";

// The network half of verification: one TLS handshake, one HTTPS GET over the data plane, one read of the
// admin API. Nothing here verifies a chain: identity is checked by fingerprint, so every connection is made
// with rejectUnauthorized: false. Nothing here reads or returns key material: a peer's certificate is reduced
// to its fingerprint, subject and SANs.

/** Where a node's data plane answers: host (no brackets) and port. */
export interface Listener {
  host: string;
  port: number;
}

export interface ServedLeaf {
  fingerprint256: string;
  subject: string;
  subjectAltName: string;
}

export type Probe<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The data plane's address from its URL. A node listening on every interface (0.0.0.0, ::) says so in its
 * URL; it is then reached on the host its admin API was reached on.
 */
export function listenerOf(listen: string, admin?: string): Listener {
  let url: URL;
  try {
    url = new URL(listen.includes("://") ? listen : `https://${listen}`);
  } catch {
    throw new Error(`${quoteValue(listen)} is not a data plane URL (expected https://HOST:PORT)`);
  }
  const unbracket = (h: string) => (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h);
  let host = unbracket(url.hostname);
  if (host === "" || host === "0.0.0.0" || host === "::") {
    const adminHost = admin ? safeHostname(admin) : undefined;
    host = adminHost ?? (host === "::" ? "::1" : "127.0.0.1");
  }
  const port = url.port === "" ? 443 : Number(url.port);
  return { host, port };
}

function safeHostname(admin: string): string | undefined {
  try {
    const h = new URL(admin).hostname;
    return h.startsWith("[") ? h.slice(1, -1) : h;
  } catch {
    return undefined;
  }
}

// Every probe shares one client context: Node otherwise builds an OpenSSL context per connection, about
// as costly as the handshake's own client side (verification at 10,000 hosts makes 40,000 handshakes).
// Node keeps no internal client session cache, so sharing it never resumes a session.
let probeContext: SecureContext | undefined;

/** A TLS handshake with `servername` as SNI (none when undefined); resolves with the served leaf. */
export function handshakeLeaf(at: Listener, servername: string | undefined, timeoutMs: number): Promise<Probe<ServedLeaf>> {
  return new Promise((resolve) => {
    let settled = false;
    let socket: TLSSocket | undefined;
    const done = (result: Probe<ServedLeaf>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no TLS handshake within ${timeoutMs} ms` }), timeoutMs);
    // An IP address is never sent as SNI (RFC 6066 §3), as clients connecting by address do not send one.
    const sni = servername !== undefined && isIP(servername) === 0 ? servername : undefined;
    try {
      probeContext ??= createSecureContext({});
      socket = connect({ host: at.host, port: at.port, ...(sni ? { servername: sni } : {}), secureContext: probeContext, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => {
        // The X509Certificate view parses the leaf alone; getPeerCertificate() would build every field and
        // digest of it as a plain object.
        const peer = socket?.getPeerX509Certificate();
        if (!peer) return done({ ok: false, reason: "the server sent no certificate" });
        done({ ok: true, value: { fingerprint256: peer.fingerprint256, subject: peer.subject.split("\n").join(", "), subjectAltName: peer.subjectAltName ?? "" } });
      });
      socket.once("error", (err: NodeJS.ErrnoException) => done({ ok: false, reason: describeSocketError(err, at.host).reason }));
    } catch (err) {
      done({ ok: false, reason: safeText(err instanceof Error ? err.message : String(err)) });
    }
  });
}

const MAX_BODY = 4 * 1024 * 1024;

/** GET over the data plane with `servername` as SNI and Host; resolves with the status and the parsed JSON body. */
export function getOverTls(at: Listener, path: string, servername: string | undefined, timeoutMs: number): Promise<Probe<{ status: number; json: unknown }>> {
  return new Promise((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const done = (result: Probe<{ status: number; json: unknown }>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const fail = (err: NodeJS.ErrnoException) => done({ ok: false, reason: describeSocketError(err, at.host).reason });
    const hostHeader = servername ?? (at.host.includes(":") ? `[${at.host}]` : at.host);
    const options = {
      host: at.host,
      port: at.port,
      path,
      method: "GET",
      // "" sends no SNI; otherwise https would derive one from the Host header.
      servername: servername !== undefined && isIP(servername) === 0 ? servername : "",
      headers: { host: `${hostHeader}:${at.port}`, accept: "application/json" },
      rejectUnauthorized: false,
      agent: false,
    } as const;
    try {
      req = request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) return done({ ok: false, reason: `the answer is larger than ${MAX_BODY} bytes` });
          chunks.push(chunk);
        });
        res.on("end", () => {
          let json: unknown = undefined;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            json = undefined;
          }
          done({ ok: true, value: { status: res.statusCode ?? 0, json } });
        });
        res.on("error", fail);
      });
      req.on("error", fail);
      req.end();
    } catch (err) {
      done({ ok: false, reason: safeText(err instanceof Error ? err.message : String(err)) });
    }
  });
}

/** One endpoint as verification compares it; `path` and `labels` let it be matched to its declaration. */
export interface EndpointTrust {
  name: string;
  trustedAliases: string[];
  path?: string;
  labels?: Record<string, string>;
}

/** The default endpoint reader: a plain GET of `${admin}/v1/endpoints` (no token, no private CA). */
export async function fetchEndpoints(admin: string, timeoutMs: number): Promise<EndpointTrust[]> {
  const url = `${admin.replace(/\/+$/, "")}/v1/endpoints`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
    const reason =
      (err as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : typeof cause?.code === "string"
          ? describeSocketError(cause, admin).reason
          : safeText(cause?.message ?? (err as Error).message ?? "the request failed");
    throw new Error(`GET /v1/endpoints: ${reason}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    throw new Error(`GET /v1/endpoints answered ${res.status}${typeof code === "string" ? ` (${safeText(code)})` : ""}`);
  }
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) throw new Error("GET /v1/endpoints: no items list in the answer");
  return items.flatMap((item): EndpointTrust[] => {
    if (typeof item !== "object" || item === null) return [];
    const { name, trustedAliases, path, labels } = item as Record<string, unknown>;
    if (typeof name !== "string") return [];
    return [
      {
        name,
        trustedAliases: Array.isArray(trustedAliases) ? trustedAliases.filter((a): a is string => typeof a === "string") : [],
        ...(typeof path === "string" ? { path } : {}),
        ...(labels && typeof labels === "object" ? { labels: labels as Record<string, string> } : {}),
      },
    ];
  });
}

/** Text from elsewhere, made safe to show: short, and never anything that looks like a key. */
export function safeText(text: string): string {
  if (looksLikeKeyMaterial(text)) return "(withheld: it may hold key material)";
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
