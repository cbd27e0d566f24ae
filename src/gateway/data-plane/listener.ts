import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { Server as HttpsServer } from "node:https";
import { readHello } from "./client-hello.js";

/**
 * The data plane's one TCP listener, in front of two TLS servers that never listen themselves.
 *
 * Why two: Node's SNI switch does not replace the server context's certificate, it adds the selected one
 * beside it (one slot per key type), and OpenSSL then picks by the client's signature preferences — with an
 * EC default, a TLS 1.3 client of an RSA host gets the EC default. So clients that send a server name go to
 * a TLS server whose own context holds no certificate, where the SNI context's certificate is the only
 * one; clients that send none (SNICallback is never called for them) go to a server whose context holds
 * the default certificate. The ClientHello is read (client-hello.ts, and put back) to tell them apart;
 * what cannot be read as one goes where Node itself would send it, to the server context. The name also
 * decides whether the handshake asks for a client certificate: Node fixes that per server, before
 * SNICallback runs.
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
    // A client that opens a connection and sends nothing is cut off as a stalled handshake would be.
    const timer = setTimeout(() => socket.destroy(), helloTimeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      sockets.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    let received: Buffer | undefined;
    const onData = (chunk: Buffer) => {
      received = received ? Buffer.concat([received, chunk]) : chunk;
      const hello = readHello(received);
      if (!hello.complete) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      // Put back what was read: the TLS server reads the ClientHello from the socket's buffer.
      socket.unshift(received);
      route(hello.servername).emit("connection", socket);
    };
    socket.on("data", onData);
    socket.resume();
  });
  // The inner servers never listen, and an HTTP server only starts checking request and header timeouts
  // on its 'listening' event.
  tcp.on("listening", () => {
    for (const server of servers) server.emit("listening");
  });
  return { tcp, sockets };
}
