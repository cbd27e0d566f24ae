import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { Server as HttpsServer } from "node:https";
import { getExtensionData, readTlsClientHello } from "read-tls-client-hello";

/**
 * The data plane's one TCP listener, in front of two TLS servers that never listen themselves.
 *
 * Why two: Node's SNI switch does not replace the server context's certificate, it adds the selected one
 * beside it (one slot per key type), and OpenSSL then picks by the client's signature preferences — with an
 * EC default, a TLS 1.3 client of an RSA host gets the EC default. So clients that send a server name go to
 * a TLS server whose own context holds no certificate, where the SNI context's certificate is the only
 * one; clients that send none (SNICallback is never called for them) go to a server whose context holds
 * the default certificate. The ClientHello is read (and put back) to tell them apart; what cannot be read
 * as one goes where Node itself would send it, to the server context. The name also decides whether the
 * handshake asks for a client certificate: Node fixes that per server, before SNICallback runs.
 */
export interface Listener {
  /** Listens and reports the address; what node.ts and the tests bind. */
  tcp: TcpServer;
  /** Every raw connection still open, for closing. */
  sockets: ReadonlySet<Socket>;
}

/**
 * `route` picks the TLS server for a connection by the name its ClientHello asks for (undefined: none, or
 * no readable ClientHello); `servers` are all of them.
 */
export function createListener(route: (servername: string | undefined) => HttpsServer, servers: readonly HttpsServer[], helloTimeoutMs: number): Listener {
  const sockets = new Set<Socket>();
  const tcp = createTcpServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A client that opens a connection and sends nothing is cut off as a stalled handshake would be.
    const timer = setTimeout(() => socket.destroy(), helloTimeoutMs);
    socket.once("close", () => clearTimeout(timer));
    socket.on("error", () => socket.destroy());
    readTlsClientHello(socket)
      .then((hello) => getExtensionData(hello, "sni")?.serverName || undefined)
      .catch(() => undefined)
      .then((servername) => {
        clearTimeout(timer);
        if (socket.destroyed) return;
        // The bytes read were put back: the TLS server reads the ClientHello from the socket's buffer.
        route(servername).emit("connection", socket);
      });
  });
  // The inner servers never listen, and an HTTP server only starts checking request and header timeouts
  // on its 'listening' event.
  tcp.on("listening", () => {
    for (const server of servers) server.emit("listening");
  });
  return { tcp, sockets };
}
