import { createServer, type SecureContext, type Server } from "node:tls";
import type { AcmeChallenges } from "../acme-challenges.js";

/**
 * The TLS server that answers ACME tls-alpn-01 (RFC 8737): it negotiates acme-tls/1, presents the
 * challenge certificate for the name asked, and ends the connection after the handshake, as the RFC
 * wants. The listener sends it only clients that offer acme-tls/1 for a name with a pending challenge;
 * everyone else, ACME or not, is served as before.
 */
export function acmeTlsServer(challenges: AcmeChallenges, handshakeTimeout: number): Server {
  const server = createServer({
    ALPNProtocols: ["acme-tls/1"],
    handshakeTimeout,
    SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
      const ctx = challenges.tlsAlpnContext(servername);
      // Gone since the listener looked (the order ended): fail the handshake rather than serve anything else.
      if (ctx) cb(null, ctx);
      else cb(new Error("no ACME challenge for this name"));
    },
  });
  server.on("secureConnection", (socket) => socket.end());
  server.on("tlsClientError", () => undefined);
  return server;
}
