// The servers bench/handshakes.ts compares, each started as a process of its own: HAProxy (from the
// Debian package, with a generated configuration), the embedded gateway (`certform gateway start`, its
// certificates loaded through the admin API) and the bare node:tls floor.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect as tcpConnect, type AddressInfo } from "node:net";
import { join } from "node:path";

export interface BenchCertificate {
  keyType: "ec-p256" | "rsa-2048";
  host: string;
  /** Leaf, then intermediate. */
  chainPem: string;
  keyPem: string;
  fingerprint256: string;
  certFile: string;
  keyFile: string;
}

export interface RunningServer {
  label: string;
  pid: number;
  /** Threads that do TLS work: a Node server's one event loop, HAProxy's nbthread. */
  threads: number;
  /** Port per certificate host (one listener serves several hosts where the server picks by SNI). */
  port(host: string): number;
  stop(): Promise<void>;
}

const REPO = new URL("../..", import.meta.url).pathname;

/** CPU time (user + system, every thread) a process has used so far, from /proc. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: string[]): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output.join("")}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`port ${port} never opened:\n${output.join("")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function collect(child: ChildProcess): string[] {
  const output: string[] = [];
  child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  return output;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
  return async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
}

/** The haproxy binary, installed from the Debian package when missing and we may; undefined when unavailable. */
export function ensureHaproxy(log: (line: string) => void): string | undefined {
  const find = () => {
    try {
      return execFileSync("sh", ["-c", "command -v haproxy"], { encoding: "utf8" }).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const found = find();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    log("haproxy is not installed and this is not root: its rows are skipped (apt-get install haproxy to include them)");
    return undefined;
  }
  log("installing haproxy (apt-get install -y haproxy) …");
  try {
    execFileSync("apt-get", ["install", "-y", "haproxy"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } catch {
    try {
      execFileSync("apt-get", ["update"], { stdio: "ignore" });
      execFileSync("apt-get", ["install", "-y", "haproxy"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    } catch (err) {
      log(`haproxy could not be installed (${(err as Error).message.split("\n")[0]}): its rows are skipped`);
      return undefined;
    }
  }
  return find();
}

export function haproxyVersion(bin: string): string {
  return execFileSync(bin, ["-v"], { encoding: "utf8" }).split("\n")[0]!.trim();
}

/**
 * HAProxy terminating TLS for every certificate on one port (it picks by SNI, as the gateway does) and
 * answering each request at once with a 200; `nbthread` undefined keeps its default (one per CPU).
 */
export async function startHaproxy(bin: string, dir: string, certs: BenchCertificate[], nbthread: number | undefined): Promise<RunningServer> {
  const port = await freePort();
  const crts = certs.map((c) => {
    const file = join(dir, `haproxy-${c.keyType}.pem`);
    writeFileSync(file, `${c.chainPem}${c.keyPem}`, { mode: 0o600 });
    return `crt ${file}`;
  });
  const config = [
    "global",
    ...(nbthread !== undefined ? [`  nbthread ${nbthread}`] : []),
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 10s",
    "  timeout server 10s",
    "frontend bench",
    `  bind 127.0.0.1:${port} ssl ${crts.join(" ")}`,
    "  http-request return status 200",
    "",
  ].join("\n");
  const file = join(dir, `haproxy-${nbthread ?? "default"}.cfg`);
  writeFileSync(file, config);
  const child = spawn(bin, ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
  const output = collect(child);
  await waitForPort(port, child, output);
  // Its default is one thread per CPU it may run on; /proc says how many it started.
  const threads = nbthread ?? Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 1);
  return { label: nbthread === undefined ? `HAProxy (default: ${threads} threads)` : `HAProxy (nbthread ${nbthread})`, pid: child.pid!, threads, port: () => port, stop: stopper(child) };
}

/**
 * `certform gateway start` from the compiled CLI, with every certificate written through the admin API
 * (as apply writes them). `nodeArgs` go to node itself, e.g. --cpu-prof.
 */
export async function startGateway(dir: string, certs: BenchCertificate[], nodeArgs: string[] = [], opts: { checkout?: string; label?: string } = {}): Promise<RunningServer> {
  const checkout = opts.checkout ?? REPO;
  const label = opts.label ?? "certform gateway";
  const args = [...nodeArgs, join(checkout, "bin", "certform.js"), "gateway", "start", "--data", mkdtempSync(join(dir, "gateway-data-")), "--admin", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--environment", "bench", "--node", "bench-1"];
  const child = spawn(process.execPath, args, { cwd: checkout, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  const output = collect(child);
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output.join("")}`)), 20_000);
    child.stdout!.on("data", () => {
      const m = /certform gateway ready admin=(\S+) listen=(\S+)/.exec(output.join(""));
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code}:\n${output.join("")}`));
    });
  });
  const admin = ready[1]!;
  const port = Number(new URL(ready[2]!).port);
  for (const [i, c] of certs.entries()) {
    const res = await fetch(`${admin}/v1/certificates/bench-${c.keyType}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      // The first is also the default, as most gateways have one; the bench's clients all send SNI.
      body: JSON.stringify({ chain: c.chainPem, key: c.keyPem, hosts: [c.host], default: i === 0 }),
    });
    if (!res.ok) throw new Error(`loading ${c.keyType} into the gateway: ${res.status} ${await res.text()}`);
  }
  return { label, pid: child.pid!, threads: 1, port: () => port, stop: stopper(child) };
}

/** The bare node:tls floor, one listener per certificate. */
export async function startFloor(certs: BenchCertificate[], nodeArgs: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", join(REPO, "bench", "handshakes", "floor-server.ts"), ...certs.flatMap((c) => [c.certFile, c.keyFile])], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const output = collect(child);
  const ports = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the floor server did not start:\n${output.join("")}`)), 20_000);
    child.stdout!.on("data", () => {
      const m = /ready ([\d ]+)\n/.exec(output.join(""));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.split(" ").map(Number));
      }
    });
    child.once("exit", (code) => reject(new Error(`the floor server exited with ${code}:\n${output.join("")}`)));
  });
  const byHost = new Map(certs.map((c, i) => [c.host, ports[i]!]));
  return { label: "bare node:tls (floor)", pid: child.pid!, threads: 1, port: (host) => byHost.get(host)!, stop: stopper(child) };
}
