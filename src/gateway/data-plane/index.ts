/**
 * The embedded gateway's data plane: one TLS listener that picks certificates by SNI, enforces mutual
 * TLS per host, proxies endpoints to their backends with per-endpoint trust, and publishes the JWKS.
 * Everything it serves comes from the last GatewayState given to apply().
 */
import { constants } from "node:crypto";
import { createServer } from "node:https";
import type { Server as TcpServer } from "node:net";
import type { SecureContext, TLSSocket } from "node:tls";
import { emptyState, type GatewayState } from "../state.js";
import { backendAgents } from "./backend-agents.js";
import { rememberPresentedChain } from "./client-auth.js";
import { materialKey } from "./contexts.js";
import { requestHandler } from "./handler.js";
import type { AcmeChallenges } from "../acme-challenges.js";
import { acmeTlsServer } from "./acme-tls.js";
import { createListener } from "./listener.js";
import { buildSnapshot, contextFor, type Snapshot } from "./snapshot.js";

export interface DataPlaneOptions {
  /** Also trust Node's bundled root CAs for https backends (default: only the truststores). */
  systemCas?: boolean;
  /** How long a backend may stay silent, connecting or answering, before the client gets 504. */
  backendTimeoutMs?: number;
  /** How long a client may take to complete its handshake, ClientHello included. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Where problems with stored objects are reported; they never include key material. Default: stderr. */
  warn?: (message: string) => void;
  /** ACME tls-alpn-01 responses: answered to clients that offer ALPN acme-tls/1 for a host that has one. */
  challenges?: AcmeChallenges;
}

export interface DataPlane {
  /** The listener: bind it with listen(), read the port with address(); emits "secureConnection" for every completed handshake. */
  server: TcpServer;
  /** Serves `state` from the next handshake and request on; takes time in proportion to what changed since the last one. */
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

  const handler = requestHandler(() => snap, agents, opts.backendTimeoutMs ?? 30_000);
  const handshakeTimeout = opts.handshakeTimeoutMs ?? 10_000;
  // Client certificates are judged per host by the request handler: rejecting here would refuse every
  // client of the hosts that only ask for one. Whether a handshake asks at all is fixed per server, and
  // the listener picks the server by the name the client asks for.
  const tlsServer = (requestCert: boolean, sni: boolean) =>
    createServer(
      {
        rejectUnauthorized: false,
        requestCert,
        ca: [],
        handshakeTimeout,
        ...(sni
          ? {
              SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
                const found = contextFor(snap, servername);
                // No certificate for the name and no default: the server's own context, which holds none,
                // answers, and OpenSSL fails the handshake. A context that failed to load must end the
                // connection here, or Node would fall back to the server's own context in the same way.
                if (found === "unloadable") cb(new Error("the certificate for this name cannot be loaded"));
                else cb(null, found);
              },
            }
          : {}),
      },
      handler,
    );
  // Clients that name a host: these servers' own contexts never hold a certificate, so the one the SNI
  // context brings is the only one the handshake can use (see listener.ts). Clients that name none: the
  // default certificate, or a failed handshake without one.
  const servers = { bySni: tlsServer(false, true), bySniAsking: tlsServer(true, true), noSni: tlsServer(false, false), noSniAsking: tlsServer(true, false) };
  const tls = Object.values(servers);
  // One set of ticket keys, so a session is resumed whichever server a client's next connection reaches.
  for (const server of tls) server.setTicketKeys(servers.bySni.getTicketKeys());
  const acme = opts.challenges ? acmeTlsServer(opts.challenges, handshakeTimeout) : undefined;
  const listener = createListener((servername, acmeTls) => {
    if (acmeTls && acme && opts.challenges!.tlsAlpnContext(servername)) return acme;
    const asks = snap.policies.forName(servername).asks;
    if (servername) return asks ? servers.bySniAsking : servers.bySni;
    return asks ? servers.noSniAsking : servers.noSni;
  }, acme ? [...tls, acme] : tls, handshakeTimeout);

  for (const server of tls) {
    server.on("secureConnection", (socket: TLSSocket) => {
      if (snap.policies.any) rememberPresentedChain(socket);
      // Observers of the listener (tests, diagnostics) see every handshake in one place.
      listener.tcp.emit("secureConnection", socket);
    });
  }

  function applyDefaultContext(next: Snapshot): void {
    const fallback = next.sni.fallback;
    const clients = next.policies.forName(undefined).trust;
    const key = `${fallback ? materialKey(fallback) : "-"}|${clients.key}|${next.policies.any}`;
    if (key === defaultKey) return;
    // While any host enforces mutual TLS, no session is resumed: a resumed session skips the client's
    // certificate chain and may even be carried over from another host's connection.
    const secureOptions = next.policies.any ? constants.SSL_OP_NO_TICKET : 0;
    const ca = clients.cas.map((c) => c.pem);
    for (const server of [servers.bySni, servers.bySniAsking]) server.setSecureContext({ ca, secureOptions });
    for (const server of [servers.noSni, servers.noSniAsking]) {
      try {
        server.setSecureContext(fallback ? { cert: fallback.chainPem, key: fallback.keyPem, ca, secureOptions } : { ca, secureOptions });
      } catch (err) {
        warn(`default certificate ${JSON.stringify(fallback?.name)} cannot be loaded (${(err as NodeJS.ErrnoException).code ?? "error"}); clients without a known SNI name are refused`);
        server.setSecureContext({ ca: [], secureOptions });
      }
    }
    defaultKey = key;
  }

  let closing: Promise<void> | undefined;
  return {
    server: listener.tcp,
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
          for (const socket of listener.sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        // The TCP listener's close waits for every connection it accepted, whichever TLS server took it.
        listener.tcp.close(() => {
          clearTimeout(timer);
          agents.destroy();
          resolve();
        });
        for (const server of tls) {
          server.close();
          server.closeIdleConnections();
        }
        acme?.close();
      });
      return closing;
    },
  };
}
