import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Server as TcpServer } from "node:net";
import type { Server as TlsServer } from "node:tls";
import { MANAGEMENT_OBJECT } from "../model/names.js";
import { acmeChallenges } from "./acme-challenges.js";
import { createAdminHandler } from "./admin/index.js";
import { acmeHttpServer } from "./data-plane/acme-http.js";
import { createDataPlane } from "./data-plane/index.js";
import { openStore } from "./store/index.js";

export interface NodeOptions {
  dataDir: string;
  admin: { host: string; port: number };
  listen: { host: string; port: number };
  /** A plain HTTP listener that answers ACME http-01 challenges (and nothing else). */
  http?: { host: string; port: number };
  environment: string;
  node: string;
  token?: string;
  /** PEM files for an HTTPS admin API. */
  adminTls?: { certFile: string; keyFile: string };
  systemCas?: boolean;
  /** Where start-up warnings go. Default: standard error. */
  warn?: (message: string) => void;
}

export interface RunningNode {
  adminUrl: string;
  listenUrl: string;
  /** The ACME http-01 listener, when one was asked for. */
  httpUrl?: string;
  close(): Promise<void>;
}

/** One gateway node: its store, its admin API and its TLS data plane, wired so that every commit is served at once. */
export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const store = await openStore(opts.dataDir, { node: opts.node, environment: opts.environment });
  const warn = opts.warn ?? ((m: string) => void process.stderr.write(`certform gateway: warning: ${m}\n`));
  const challenges = acmeChallenges({ httpListener: opts.http !== undefined });
  const dataPlane = createDataPlane({ systemCas: opts.systemCas ?? false, challenges });
  dataPlane.apply(store.state());
  store.onCommit((state) => dataPlane.apply(state));

  const host = (h: string) => (h.includes(":") ? `[${h}]` : h);
  // The data plane first: with port 0 its URL, which /v1/status shows, is known only once it listens.
  await listen(dataPlane.server, opts.listen);
  const listenUrl = `https://${host(opts.listen.host)}:${(dataPlane.server.address() as AddressInfo).port}`;

  const http = opts.http ? acmeHttpServer(challenges) : undefined;
  if (http && opts.http) await listen(http, opts.http);
  const httpUrl = http && opts.http ? `http://${host(opts.http.host)}:${(http.address() as AddressInfo).port}` : undefined;

  const handler = createAdminHandler({ store, listenUrl, challenges, ...(opts.token ? { token: opts.token } : {}) });
  let admin: HttpServer;
  if (opts.adminTls) {
    // The stored management certificate (written by an apply) wins over the files of the command line, so
    // that a restarted node serves what was last declared.
    const stored = store.state().certificates.get(MANAGEMENT_OBJECT);
    const https = createHttpsServer(stored ? { cert: stored.chainPem, key: stored.keyPem } : { cert: readFileSync(opts.adminTls.certFile), key: readFileSync(opts.adminTls.keyFile) }, handler);
    let served = stored;
    store.onCommit((state) => {
      const next = state.certificates.get(MANAGEMENT_OBJECT);
      if (!next || next === served) return;
      try {
        // New connections get the new certificate; open ones finish with the old, so no call fails.
        https.setSecureContext({ cert: next.chainPem, key: next.keyPem });
        served = next;
      } catch (err) {
        warn(`the management certificate of revision ${state.revision} cannot be loaded (${(err as NodeJS.ErrnoException).code ?? "error"}); the admin API keeps its previous one`);
      }
    });
    admin = https;
  } else admin = createHttpServer(handler);
  await listen(admin, opts.admin);
  // Loopback by default (the CLI's --admin); anywhere else, whoever reaches the port could change what is served.
  if (!opts.token && !isLoopback(opts.admin.host)) {
    warn(`the admin API listens on ${opts.admin.host}, beyond this machine, without a token: anyone who reaches it can change what this node serves; start it with --token-env VAR (and --admin-cert/--admin-key)`);
  }
  const adminPort = (admin.address() as AddressInfo).port;
  return {
    adminUrl: `${opts.adminTls ? "https" : "http"}://${host(opts.admin.host)}:${adminPort}`,
    listenUrl,
    ...(httpUrl ? { httpUrl } : {}),
    async close() {
      admin.closeAllConnections?.();
      http?.closeAllConnections();
      await Promise.all([new Promise<void>((r) => admin.close(() => r())), dataPlane.close(), ...(http ? [new Promise<void>((r) => http.close(() => r()))] : [])]);
      await store.close();
    },
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function listen(server: HttpServer | TlsServer | TcpServer, at: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(at.port, at.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
