import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { Server as TlsServer } from "node:tls";
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
 * no readable ClientHello) and whether it offers ALPN acme-tls/1 (an ACME CA validating tls-alpn-01);
 * `servers` are all of them.
 */
export function createListener(route: (servername: string | undefined, acmeTls: boolean) => TlsServer, servers: readonly TlsServer[], helloTimeoutMs: number): Listener {
  const sockets = new Set<Socket>();
  // What follows runs once per handshake, so it allocates as little as it can: no closure or timer per
  // connection. Connections still waiting for their ClientHello, by when they opened (in that order):
  // one sweep cuts off those that sent none in time, as a stalled handshake would be.
  const waiting = new Map<Socket, number>();
  // The first bytes of a ClientHello that has not fully arrived yet (rare: it nearly always comes whole).
  const partial = new Map<Socket, Buffer>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = performance.now();
    for (const [socket, since] of waiting) {
      if (now - since < helloTimeoutMs) break;
      waiting.delete(socket);
      socket.destroy();
    }
    if (waiting.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  function onClose(this: Socket): void {
    sockets.delete(this);
    waiting.delete(this);
    partial.delete(this);
  }
  function onData(this: Socket, chunk: Buffer): void {
    const held = partial.get(this);
    const received = held ? Buffer.concat([held, chunk]) : chunk;
    const hello = readHello(received);
    if (!hello.complete) {
      partial.set(this, received);
      return;
    }
    if (held) partial.delete(this);
    waiting.delete(this);
    this.off("data", onData);
    this.pause();
    // Put back what was read: the TLS server reads the ClientHello from the socket's buffer.
    this.unshift(received);
    route(hello.servername, hello.acmeTls === true).emit("connection", this);
  }
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    waiting.set(socket, performance.now());
    sweeper ??= setInterval(sweep, Math.max(10, helloTimeoutMs / 4)).unref();
    socket.once("close", onClose);
    socket.on("error", destroy);
    socket.on("data", onData);
  });
  // The inner servers never listen, and an HTTP server only starts checking request and header timeouts
  // on its 'listening' event.
  tcp.on("listening", () => {
    for (const server of servers) server.emit("listening");
  });
  return { tcp, sockets };
}

function destroy(this: Socket): void {
  this.destroy();
}
