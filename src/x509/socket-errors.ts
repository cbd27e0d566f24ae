/** Plain words for what goes wrong while capturing a certificate over TLS. */
import { quoteValue } from "../model/redact.js";

export interface Failure {
  reason: string;
  hint: string;
}

export const HINT = {
  refused: "check the host and port, and that the server is running",
  reach: "check that the address is reachable from here and serves TLS",
  dns: "check the host name",
  tls: "check that the address serves TLS (https:// or ldaps://, not plain http:// or ldap://)",
};

const ALERT_HINTS: Record<string, string> = {
  "handshake failure": "the server shares no protocol version or cipher with this client, or wants a different SNI: try --servername",
  "protocol version": "the server requires a TLS version this client does not offer",
  "unrecognized name": "the server does not serve the name sent as SNI: try --servername with a name it serves",
  "certificate required": "the server requires a client certificate (mutual TLS) even to show its own",
  "access denied": "the server refused this client",
};

/**
 * Plain words for a socket or TLS error, keeping its stable code and never OpenSSL's internal
 * message ("…:ssl3_get_record:wrong version number:../deps/openssl/…").
 */
export function describeSocketError(err: NodeJS.ErrnoException, host: string): Failure {
  const code = typeof err.code === "string" ? err.code : "";
  const tag = code ? ` (${code})` : "";
  const text = `${code} ${(err as { reason?: string }).reason ?? ""} ${err.message}`.toLowerCase();
  switch (code) {
    case "ECONNREFUSED":
      return { reason: `connection refused${tag}`, hint: HINT.refused };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { reason: `host ${quoteValue(host)} not found (DNS, ${code})`, hint: HINT.dns };
    case "ECONNRESET":
      return { reason: `the server reset the connection during the TLS handshake${tag}`, hint: HINT.tls };
    case "ETIMEDOUT":
      return { reason: `the connection timed out${tag}`, hint: HINT.reach };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { reason: `host unreachable${tag}`, hint: HINT.reach };
  }
  if (/wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long|http[ _]request|record[ _]layer[ _]failure/.test(text)) {
    return { reason: `the server did not answer with TLS (is it plain HTTP or LDAP without TLS?)${tag}`, hint: HINT.tls };
  }
  const alert = code.match(/^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_(?:ALERT_)?(.+)$/);
  if (alert) {
    const name = alert[1]!.toLowerCase().replace(/_/g, " ");
    return { reason: `the server ended the handshake with the TLS alert "${name}"${tag}`, hint: ALERT_HINTS[name] ?? HINT.tls };
  }
  if (code.startsWith("ERR_SSL_")) {
    return { reason: `the TLS handshake failed: ${code.slice(8).toLowerCase().replace(/_/g, " ")}${tag}`, hint: HINT.tls };
  }
  return { reason: `the connection failed${code ? tag : " (no error code)"}`, hint: HINT.tls };
}
