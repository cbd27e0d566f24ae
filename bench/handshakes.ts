// Handshakes per second on one embedded gateway node beside HAProxy and a bare node:tls floor on the same
// machine, with the same certificates (EC P-256 and RSA-2048, leaf + intermediate), measured in one run.
//
// Every server is a process of its own, and so is the load: forked Node clients, each keeping
// --concurrency connections in flight, making full TLS 1.3 handshakes with SNI and never resuming a
// session. (openssl s_time cannot send SNI — so it would only ever reach the gateway's default
// certificate, not the by-name path real clients take — makes one connection at a time per process, and
// gives no latency distribution.) The runs alternate between servers and repeat; each figure is the
// median of --runs runs. Server CPU per handshake is read from /proc: it does not depend on how much of
// the two cores the clients took.
//
// Run: npx tsx bench/handshakes.ts [--seconds 2] [--runs 3] [--clients 2] [--concurrency 8] [--json]
//        [--no-build] [--profile DIR] [--only haproxy,gateway,floor]
//   --profile: the gateway and the floor run with node --cpu-prof, writing profiles into DIR/gateway and
//   DIR/floor when they stop.
//   --only: measure just these servers (while profiling or tuning one of them).
//   --compare-gateway DIR: also measure the gateway of another built checkout (before/after a change).
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { parseArgs } from "node:util";
import { certificatesToPem, generateCertificate, privateKeyToPem } from "../src/x509/index.js";
import type { LoadOrder, LoadResult } from "./handshakes/client.js";
import { ensureHaproxy, haproxyVersion, processCpuMs, startFloor, startGateway, startHaproxy, type BenchCertificate, type RunningServer } from "./handshakes/servers.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "2" },
    runs: { type: "string", default: "3" },
    clients: { type: "string", default: "2" },
    concurrency: { type: "string", default: "8" },
    json: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    profile: { type: "string" },
    only: { type: "string" },
    "compare-gateway": { type: "string" },
  },
});
const seconds = Number(args.seconds);
const runs = Number(args.runs);
const clientCount = Number(args.clients);
const concurrency = Number(args.concurrency);
// With --json, stdout carries the JSON document only.
const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
const REPO = new URL("..", import.meta.url).pathname;

if (!args["no-build"]) {
  log("building (npm run build) …");
  execFileSync("npm", ["run", "-s", "build"], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
}

const dir = mkdtempSync(join(tmpdir(), "certform-bench-hs-"));

async function benchCertificate(keyType: BenchCertificate["keyType"]): Promise<BenchCertificate> {
  const root = await generateCertificate({ hosts: [], keyType, isCA: true, subject: `CN=bench root ${keyType}`, validityDays: 30 });
  const intermediate = await generateCertificate({ hosts: [], keyType, isCA: true, subject: `CN=bench intermediate ${keyType}`, issuer: root, validityDays: 30 });
  const host = `${keyType}.bench.test`;
  const leaf = await generateCertificate({ hosts: [host], keyType, issuer: intermediate, validityDays: 30 });
  const chainPem = certificatesToPem([leaf.certificate, intermediate.certificate]);
  const keyPem = privateKeyToPem(leaf.key);
  const certFile = join(dir, `${keyType}.crt`);
  const keyFile = join(dir, `${keyType}.key`);
  writeFileSync(certFile, chainPem);
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  return { keyType, host, chainPem, keyPem, fingerprint256: leaf.certificate.fingerprint256, certFile, keyFile };
}
const certs = [await benchCertificate("ec-p256"), await benchCertificate("rsa-2048")];

const servers: RunningServer[] = [];
const clients: ChildProcess[] = [];
async function cleanup(): Promise<void> {
  for (const c of clients) c.kill();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

const profiling = (name: string) => (args.profile ? ["--cpu-prof", "--cpu-prof-dir", join(args.profile, name)] : []);
const only = new Set((args.only ?? "haproxy,gateway,floor").split(","));
let haproxy: string | undefined;
try {
  haproxy = only.has("haproxy") ? ensureHaproxy(log) : undefined;
  if (haproxy) {
    servers.push(await startHaproxy(haproxy, dir, certs, undefined));
    servers.push(await startHaproxy(haproxy, dir, certs, 1));
  }
  if (only.has("gateway")) servers.push(await startGateway(dir, certs, profiling("gateway")));
  if (args["compare-gateway"]) servers.push(await startGateway(dir, certs, [], { checkout: args["compare-gateway"], label: "gateway (compared)" }));
  if (only.has("floor")) servers.push(await startFloor(certs, profiling("floor")));
  for (let i = 0; i < clientCount; i++) clients.push(fork(join(REPO, "bench", "handshakes", "client.ts"), [], { execArgv: ["--import", "tsx"], stdio: "ignore" }));
  await Promise.all(clients.map((c) => new Promise((resolve) => c.once("message", resolve))));
  // Before anything is timed: every server hands out exactly the certificate asked for, over TLS 1.3.
  for (const server of servers) for (const cert of certs) await checkServed(server, cert);
} catch (err) {
  await cleanup();
  throw err;
}

function checkServed(server: RunningServer, cert: BenchCertificate): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: server.port(cert.host), servername: cert.host, rejectUnauthorized: false }, () => {
      const served = s.getPeerCertificate().fingerprint256;
      const protocol = s.getProtocol();
      s.destroy();
      if (served !== cert.fingerprint256) reject(new Error(`${server.label} served another certificate for ${cert.host}`));
      else if (protocol !== "TLSv1.3") reject(new Error(`${server.label} negotiated ${protocol}`));
      else resolve();
    });
    s.on("error", reject);
  });
}

function load(order: LoadOrder): Promise<LoadResult[]> {
  return Promise.all(
    clients.map(
      (c) =>
        new Promise<LoadResult>((resolve) => {
          c.once("message", (m) => resolve(m as LoadResult));
          c.send(order);
        }),
    ),
  );
}

interface Run {
  handshakesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** Server CPU per completed handshake, every thread counted. */
  serverCpuMsPerHandshake: number;
  /** How many cores the server kept busy, on average. */
  serverCores: number;
  clientCores: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

async function measure(server: RunningServer, cert: BenchCertificate, ms: number): Promise<Run> {
  const cpuBefore = processCpuMs(server.pid);
  const results = await load({ port: server.port(cert.host), servername: cert.host, ms, concurrency });
  const serverCpu = processCpuMs(server.pid) - cpuBefore;
  const completed = results.reduce((n, r) => n + r.completed, 0);
  const wallMs = Math.max(...results.map((r) => r.wallMs));
  const latencies = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  if (failed > 0) log(`  ${server.label} ${cert.keyType}: ${failed} failed handshakes (${results.find((r) => r.firstError)?.firstError})`);
  return {
    handshakesPerSecond: completed / (wallMs / 1000),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    failed,
    serverCpuMsPerHandshake: serverCpu / completed,
    serverCores: serverCpu / wallMs,
    clientCores: results.reduce((n, r) => n + r.cpuMs, 0) / wallMs,
  };
}

const cpuModel = cpus()[0]?.model ?? "unknown CPU";
const loadBefore = loadavg()[0]!;
log(`TLS 1.3 full handshakes with SNI, ${clientCount} client processes × ${concurrency} connections, ${runs} alternating runs of ${seconds} s each; ${cpus().length} × ${cpuModel}, Node ${process.version}`);

const runsBy = new Map<string, Run[]>();
const key = (server: RunningServer, cert: BenchCertificate) => `${server.label}\n${cert.keyType}`;
try {
  // Warm-up: JIT, the gateway's first-handshake paths, HAProxy's thread pools.
  for (const cert of certs) for (const server of servers) await measure(server, cert, 400);
  for (let run = 0; run < runs; run++) {
    for (const cert of certs) {
      // Each run starts with a different server, so none is always measured right after the same one.
      const order = servers.map((_, i) => servers[(i + run) % servers.length]!);
      for (const server of order) {
        const r = await measure(server, cert, seconds * 1000);
        runsBy.set(key(server, cert), [...(runsBy.get(key(server, cert)) ?? []), r]);
      }
    }
  }
} finally {
  await cleanup();
}

interface Row {
  server: string;
  keyType: string;
  handshakesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerHandshake: number;
  /**
   * What the server could do with its threads each on a core of its own and a client that costs nothing:
   * threads / CPU per handshake. On a small machine the clients take most of the CPU (a TLS client's
   * handshake costs more than a server's), so measured rates are bounded by them; this is not.
   */
  capacityPerSecond: number;
  threads: number;
  serverCores: number;
  clientCpuMsPerHandshake: number;
  failed: number;
  runs: Run[];
}
const rows: Row[] = [];
for (const cert of certs) {
  for (const server of servers) {
    const rs = runsBy.get(key(server, cert)) ?? [];
    const serverCpuMsPerHandshake = median(rs.map((r) => r.serverCpuMsPerHandshake));
    rows.push({
      server: server.label,
      keyType: cert.keyType,
      handshakesPerSecond: median(rs.map((r) => r.handshakesPerSecond)),
      p50Ms: median(rs.map((r) => r.p50Ms)),
      p99Ms: median(rs.map((r) => r.p99Ms)),
      serverCpuMsPerHandshake,
      capacityPerSecond: (server.threads * 1000) / serverCpuMsPerHandshake,
      threads: server.threads,
      serverCores: median(rs.map((r) => r.serverCores)),
      clientCpuMsPerHandshake: median(rs.map((r) => (r.clientCores * 1000) / r.handshakesPerSecond)),
      failed: rs.reduce((n, r) => n + r.failed, 0),
      runs: rs,
    });
  }
}

const row = (label: string, keyType: string) => rows.find((r) => r.server.startsWith(label) && r.keyType === keyType);
const ratios = certs.map((cert) => {
  const gateway = row("certform gateway", cert.keyType);
  const measured = (other: Row | undefined) => (gateway && other ? gateway.handshakesPerSecond / other.handshakesPerSecond : null);
  const capacity = (other: Row | undefined) => (gateway && other ? gateway.capacityPerSecond / other.capacityPerSecond : null);
  const [haproxy, haproxyOne, floor] = [row("HAProxy (default", cert.keyType), row("HAProxy (nbthread 1", cert.keyType), row("bare node:tls", cert.keyType)];
  return {
    keyType: cert.keyType,
    gatewayToHaproxy: measured(haproxy),
    gatewayToHaproxyOneThread: measured(haproxyOne),
    gatewayToFloor: measured(floor),
    capacityGatewayToHaproxy: capacity(haproxy),
    capacityGatewayToHaproxyOneThread: capacity(haproxyOne),
    capacityGatewayToFloor: capacity(floor),
  };
});
const measuredTarget = haproxy && only.has("gateway");
const met = measuredTarget ? ratios.every((r) => (r.gatewayToHaproxy ?? 0) >= 0.5) : null;
const metOnCapacity = measuredTarget ? ratios.every((r) => (r.capacityGatewayToHaproxy ?? 0) >= 0.5) : null;
const loadAfter = loadavg()[0]!;

if (args.json) {
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: "handshakes",
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, node: process.version, nodeOpenssl: process.versions.openssl, haproxy: haproxy ? haproxyVersion(haproxy) : null },
        settings: { seconds, runs, clients: clientCount, concurrency, protocol: "TLSv1.3", resumption: false, sni: true },
        target: { description: "gateway handshakes/s at least half of HAProxy's (default threads), for every key type", met, metOnCapacity },
        ratios,
        results: rows,
      },
      null,
      2,
    )}\n`,
  );
} else {
  const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
  const width = Math.max(...rows.map((r) => r.server.length), 6);
  log("");
  log(`${"server".padEnd(width)} ${"key".padEnd(8)} ${"handshakes/s".padStart(12)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"CPU ms/hs".padStart(9)} ${"capacity/s".padStart(10)} ${"cores".padStart(5)} ${"client CPU ms/hs".padStart(16)}`);
  for (const r of rows) {
    log(`${r.server.padEnd(width)} ${r.keyType.padEnd(8)} ${fmt(r.handshakesPerSecond).padStart(12)} ${fmt(r.p50Ms, 1).padStart(7)} ${fmt(r.p99Ms, 1).padStart(7)} ${fmt(r.serverCpuMsPerHandshake, 3).padStart(9)} ${fmt(r.capacityPerSecond).padStart(10)} ${fmt(r.serverCores, 2).padStart(5)} ${fmt(r.clientCpuMsPerHandshake, 2).padStart(16)}${r.failed ? `  (${r.failed} failed)` : ""}`);
  }
  log("");
  log("CPU ms/hs: the server's CPU time (every thread) per handshake; capacity/s: its threads / CPU ms/hs; cores: how many it kept busy");
  const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(0)}%`);
  for (const r of ratios) {
    log(`${r.keyType}: gateway/HAProxy ${pct(r.gatewayToHaproxy)} measured, ${pct(r.capacityGatewayToHaproxy)} in capacity (nbthread 1: ${pct(r.gatewayToHaproxyOneThread)}, ${pct(r.capacityGatewayToHaproxyOneThread)}); gateway/floor ${pct(r.gatewayToFloor)}, ${pct(r.capacityGatewayToFloor)}`);
  }
  log(`load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${cpus().length} CPUs`);
  if (met === null) log("target not measured (no HAProxy, or no gateway)");
  else log(`target (gateway ≥ 50% of HAProxy with default threads, every key type): ${met ? "met" : "NOT met"} on measured handshakes/s, ${metOnCapacity ? "met" : "NOT met"} on capacity`);
}
