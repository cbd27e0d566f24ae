import type { TLSSocket } from "node:tls";
import type { ClientPolicies } from "./client-policy.js";

interface ServerSocketInternals {
  _handle: { setVerifyMode(requestCert: boolean, rejectUnauthorized: boolean): void } | null;
  _requestCert: boolean;
  _rejectUnauthorized: boolean;
}

/**
 * Asks the client for a certificate only when its SNI name's policy does. Node fixes the verify mode when
 * the connection starts, before the client names its host, but calls SNICallback on the connection's
 * TLSSocket before the server's first flight, where the mode can still be changed; Node sets `authorized`
 * after the handshake only when `_requestCert` is true. Both are pinned by node-tls-facts.test.ts. No
 * SNI, no callback: `server.requestCert` decides for those connections.
 */
export function askForClientCertificate(socket: TLSSocket | undefined, policies: ClientPolicies, servername: string): void {
  const s = socket as unknown as ServerSocketInternals | undefined;
  if (!s?._handle) return;
  const ask = policies.forName(servername).asks;
  if (s._requestCert === ask) return;
  s._handle.setVerifyMode(ask, s._rejectUnauthorized);
  s._requestCert = ask;
}
