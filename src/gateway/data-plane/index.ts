/**
 * The embedded gateway's data plane: one TLS listener that picks certificates by SNI, enforces mutual
 * TLS per host, proxies endpoints to their backends with per-endpoint trust, and publishes the JWKS.
 * Everything it serves comes from the last GatewayState given to apply().
 */
import { constants } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { emptyState, type GatewayState } from "../state.js";
import { backendAgents } from "./backend-agents.js";
import { rememberPresentedChain } from "./client-auth.js";
import { askForClientCertificate } from "./client-request.js";
import { materialKey } from "./contexts.js";
import { requestHandler } from "./handler.js";
import { buildSnapshot, contextFor, type Snapshot } from "./snapshot.js";

export interface DataPlaneOptions {
  /** Also trust Node's bundled root CAs for https backends (default: only the truststores). */
  systemCas?: boolean;
  /** How long a backend may stay silent, connecting or answering, before the client gets 504. */
  backendTimeoutMs?: number;
  /** Where problems with stored objects are reported; they never include key material. Default: stderr. */
  warn?: (message: string) => void;
}

export interface DataPlane {
  server: Server;
  /** Serves `state` from the next handshake and request on; cheap when little changed. */
  apply(state: GatewayState): void;
  /** Stops listening, ends idle connections, and ends the rest after a short grace period. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 3_000;

export function createDataPlane(opts: DataPlaneOptions = {}): DataPlane {
  const warn = opts.warn ?? ((message: string) => process.stderr.write(`certform gateway: ${message}\n`));
  const agents = backendAgents({ systemCas: opts.systemCas ?? false });
  let snap: Snapshot = buildSnapshot(emptyState("", ""), undefined, warn);
  let defaultKey = "";

  const server = createServer(
    {
      SNICallback(this: TLSSocket | undefined, servername, cb) {
        askForClientCertificate(this, snap.policies, servername);
        const found = contextFor(snap, servername);
        // No certificate for the name: the server's own context answers, which holds the default
        // certificate or, without one, none, and OpenSSL then fails the handshake. Node would also fall
        // back to it for a context without a certificate, so one that failed to load must end the
        // connection here instead.
        if (found === "unloadable") cb(new Error("the certificate for this name cannot be loaded"));
        else cb(null, found);
      },
      // Client certificates are judged per host by the request handler: rejecting here would refuse
      // every client of the hosts that do not ask for one.
      rejectUnauthorized: false,
      requestCert: false,
      ca: [],
      handshakeTimeout: 10_000,
    },
    requestHandler(() => snap, agents, opts.backendTimeoutMs ?? 30_000),
  );

  server.on("secureConnection", (socket: TLSSocket) => {
    if (snap.policies.any) rememberPresentedChain(socket);
  });

  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  function applyDefaultContext(next: Snapshot): void {
    const fallback = next.sni.fallback;
    const clients = next.policies.forName(undefined).trust;
    const asks = next.policies.forName(undefined).asks;
    const key = `${fallback ? materialKey(fallback) : "-"}|${clients.key}|${next.policies.any}|${asks}`;
    if (key === defaultKey) return;
    // While any host enforces mutual TLS, no session is resumed: a resumed session skips the client's
    // certificate chain and may even be carried over from another host's connection.
    const secureOptions = next.policies.any ? constants.SSL_OP_NO_TICKET : 0;
    const ca = clients.cas.map((c) => c.pem);
    try {
      server.setSecureContext(fallback ? { cert: fallback.chainPem, key: fallback.keyPem, ca, secureOptions } : { ca, secureOptions });
    } catch (err) {
      warn(`default certificate ${JSON.stringify(fallback?.name)} cannot be loaded (${(err as NodeJS.ErrnoException).code ?? "error"}); clients without a known SNI name are refused`);
      server.setSecureContext({ ca: [], secureOptions });
    }
    // Node reads requestCert from the server for each new connection: it decides for clients without SNI;
    // SNICallback decides for the others (client-request.ts).
    (server as unknown as { requestCert: boolean }).requestCert = asks;
    defaultKey = key;
  }

  let closing: Promise<void> | undefined;
  return {
    server,
    apply(state) {
      let next: Snapshot;
      try {
        next = buildSnapshot(state, snap, warn);
      } catch (err) {
        // Keep serving what was served: a broken apply must not take the listener down.
        warn(`revision ${state.revision} could not be applied (${(err as Error).name}); still serving revision ${snap.revision}`);
        return;
      }
      snap = next;
      applyDefaultContext(next);
      agents.retain(next.endpointTrust);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(timer);
          agents.destroy();
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
