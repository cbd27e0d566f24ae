import { spawn, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";
import { REPO } from "./cli.js";
import { readyLine } from "./ready-line.js";

export interface GatewayProcess {
  admin: string;
  listen: string;
  listenPort: number;
  /** The ACME http-01 listener's URL, when started with --http. */
  http?: string;
  dataDir: string;
  child: ChildProcess;
  /** Every line the process printed, for failure messages. */
  output: string[];
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/**
 * Starts `certform gateway start` as a real process (on free ports unless `admin`/`listen` say HOST:PORT) and waits
 * for its ready line; `bin`: an installed certform's bin/certform.js instead of this repository's.
 */
export async function startGateway(opts: { dataDir?: string; token?: string; environment?: string; node?: string; extraArgs?: string[]; admin?: string; listen?: string; bin?: string } = {}): Promise<GatewayProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "certform-gw-"));
  const args = [opts.bin ?? join(REPO, "bin", "certform.js"), "gateway", "start", "--data", dataDir, "--admin", opts.admin ?? "127.0.0.1:0", "--listen", opts.listen ?? "127.0.0.1:0", "--environment", opts.environment ?? "test", "--node", opts.node ?? "node-1", ...(opts.extraArgs ?? [])];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  if (opts.token) {
    env.CERTFORM_TEST_GATEWAY_TOKEN = opts.token;
    args.push("--token-env", "CERTFORM_TEST_GATEWAY_TOKEN");
  }
  const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await readyLine(child, /^certform gateway ready admin=(\S+) listen=(\S+)(?: http=(\S+))?$/, output, "gateway");
  const listen = ready[2]!;
  return {
    admin: ready[1]!,
    listen,
    listenPort: Number(new URL(listen).port),
    ...(ready[3] ? { http: ready[3] } : {}),
    dataDir,
    child,
    output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill9() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** A JSON request to a node's admin API. */
export async function api<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (metrics): keep the text.
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text };
}

/** A TLS handshake with `servername` (none when undefined); resolves with the served leaf, or rejects. */
export function handshake(port: number, servername: string | undefined, opts: { ca?: string; cert?: string; key?: string } = {}): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ...(servername ? { servername } : {}), rejectUnauthorized: false, ...opts }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.once("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("handshake timed out")));
  });
}

/** Handshakes to `host` on every node, one after another per node, until stopped: what was served, and the failures. */
export function keepHandshaking(nodes: GatewayProcess[], host: string): { stop(): Promise<{ handshakes: number; failures: string[]; seen: Set<string> }> } {
  let running = true;
  let handshakes = 0;
  const failures: string[] = [];
  const seen = new Set<string>();
  const loops = nodes.map(async (gw) => {
    while (running) {
      try {
        seen.add(new X509Certificate((await handshake(gw.listenPort, host)).raw).fingerprint256);
      } catch (err) {
        failures.push(`${gw.admin}: ${(err as Error).message}`);
      }
      handshakes++;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { handshakes, failures, seen };
    },
  };
}
