import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";

// RFC 9110 §7.6.1: these describe one connection and must not be forwarded, plus whatever the
// Connection header names. Expect is answered here (Node sends 100 Continue) and not again.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect"]);

function connectionTokens(value: string[] | undefined): Set<string> {
  return new Set((value ?? []).flatMap((v) => v.split(",")).map((t) => t.trim().toLowerCase()).filter(Boolean));
}

function endToEnd(headers: NodeJS.Dict<string[]>): OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, values] of Object.entries(headers)) {
    if (!values || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** Headers for the backend: the client's end-to-end headers, Host for the backend, and X-Forwarded-*. */
export function backendRequestHeaders(req: IncomingMessage, target: URL): OutgoingHttpHeaders {
  const headers = endToEnd(req.headersDistinct);
  const client = req.socket.remoteAddress ?? "";
  const prior = req.headersDistinct["x-forwarded-for"]?.join(", ");
  headers["x-forwarded-for"] = prior ? `${prior}, ${client}` : client;
  headers["x-forwarded-proto"] = "https";
  if (req.headers.host !== undefined) headers["x-forwarded-host"] = req.headers.host;
  else delete headers["x-forwarded-host"];
  // The backend's own name: it is what virtual hosting there expects, and what its certificate names.
  headers.host = target.host;
  return headers;
}

export function clientResponseHeaders(res: IncomingMessage): OutgoingHttpHeaders {
  return endToEnd(res.headersDistinct);
}
