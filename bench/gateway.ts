// Measures the embedded gateway with many certificates beside a baseline measured in the same run (the
// same gateway holding one certificate):
// - start-up: from spawning `certform gateway start` to "the admin API answers and a handshake for one of
//   the hosts presents that host's certificate";
// - one write: from an admin PUT of one new certificate to the first handshake that presents it;
// - bytes that one write puts into the data directory, beside the size of the whole store;
// - in-process, without HTTP and TLS around it: one commit of one certificate (store append and data plane
//   apply), the part of a write whose cost could grow with what is stored.
// Run: npx tsx bench/gateway.ts [certificates=10000] [--runs=5] [--json] [--no-build]
// --json prints one JSON object (for a collecting script) instead of the table. Generated material is
// cached under bench/.cache/ (gitignored; it holds throwaway private keys).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { createDataPlane } from "../src/gateway/data-plane/index.js";
import { applyPut, isFailure, openStore, preparePut, type PreparedPut } from "../src/gateway/store/index.js";
import { PersistentMap } from "../src/gateway/persistent-map.js";
import type { StoredCertificate } from "../src/gateway/state.js";
import { fastIntermediate, fastLeaf, fastRoot, issuerFrom } from "./fast-pki.js";

const REPO = join(import.meta.dirname, "..");
const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 5);
const asJson = args.includes("--json");
const log = (line: string) => (asJson ? process.stderr : process.stdout).write(`${line}\n`);
const ids = { node: "bench", environment: "bench" };

if (!args.includes("--no-build")) execFileSync("npm", ["run", "-s", "build"], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });

// ---- material ----------------------------------------------------------------------------------------

interface Material {
  host: string;
  chainPem: string;
  keyPem: string;
  fingerprint256: string;
}

const CACHE_DIR = join(REPO, "bench", ".cache");
const CACHE = join(CACHE_DIR, "gateway-material.json");
const INTERMEDIATE_CN = "certform bench intermediate CA";

/** `n` server certificates (leaf + intermediate), from the cache while it is fresh, topped up as needed. */
function material(n: number): Material[] {
  type Cache = { created: number; intermediatePem: string; intermediateKeyPem: string; leaves: { host: string; pem: string; keyPem: string }[] };
  let cache: Cache | undefined;
  if (existsSync(CACHE)) {
    cache = JSON.parse(readFileSync(CACHE, "utf8")) as Cache;
    // Leaves are valid for a year: start over well before they expire.
    if (Date.now() - cache.created > 180 * 86_400_000) cache = undefined;
  }
  if (!cache) {
    const intermediate = fastIntermediate(fastRoot());
    cache = { created: Date.now(), intermediatePem: intermediate.pem, intermediateKeyPem: intermediate.keyPem, leaves: [] };
  }
  if (cache.leaves.length < n) {
    const started = performance.now();
    const issuer = issuerFrom(cache.intermediatePem, cache.intermediateKeyPem, INTERMEDIATE_CN);
    for (let i = cache.leaves.length; i < n; i++) {
      const host = `h${i}.bench.example`;
      const leaf = fastLeaf(issuer, host);
      cache.leaves.push({ host, pem: leaf.pem, keyPem: leaf.keyPem });
    }
    mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
    writeFileSync(CACHE, JSON.stringify(cache), { mode: 0o600 });
    log(`generated certificates up to ${n} in ${((performance.now() - started) / 1000).toFixed(1)} s (cached in bench/.cache/)`);
  }
  return cache.leaves.slice(0, n).map((l) => ({ host: l.host, chainPem: l.pem + cache.intermediatePem, keyPem: l.keyPem, fingerprint256: new X509Certificate(l.pem).fingerprint256 }));
}

// ---- the node ----------------------------------------------------------------------------------------

/** A data directory holding `certs`, written through the store module as the node itself writes it. */
async function filledStore(certs: Material[]): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "certform-bench-gw-")), "data");
  const store = await openStore(dir, ids);
  const records: Record<string, StoredCertificate> = {};
  certs.forEach((c, i) => {
    records[`c${i}`] = { name: `c${i}`, hosts: [c.host], default: i === 0, chainPem: c.chainPem, keyPem: c.keyPem, generated: false, labels: {}, updatedRevision: 1 };
  });
  const r = await store.commit((s) => ({ ...s, certificates: PersistentMap.from(records) }));
  if (!r.ok) throw new Error(r.failure.error.message);
  await store.close();
  return dir;
}

interface Running {
  admin: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startGateway(dir: string): Promise<Running> {
  const child = spawn(process.execPath, [join(REPO, "bin", "certform.js"), "gateway", "start", "--data", dir, "--admin", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--environment", ids.environment, "--node", ids.node], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /certform gateway ready admin=(\S+) listen=(\S+)/.exec(output);
      if (m) resolve(m);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
  });
  return {
    admin: ready[1]!,
    port: Number(new URL(ready[2]!).port),
    child,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The fingerprint of the leaf a handshake for `servername` is given. */
function handshake(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fp);
    });
    socket.once("error", reject);
  });
}

async function adminCall(base: string, method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${base}${path}`, { method, ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}) });
  await res.arrayBuffer();
  return res.status;
}

// ---- measurements ------------------------------------------------------------------------------------

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Spawn → the admin API answers and a handshake for `probe` presents its certificate. */
async function startUp(dir: string, probe: Material, probeName: string): Promise<number> {
  const t0 = performance.now();
  const gw = await startGateway(dir);
  const [status, fp] = await Promise.all([adminCall(gw.admin, "GET", `/v1/certificates/${probeName}`), handshake(gw.port, probe.host)]);
  const ms = performance.now() - t0;
  await gw.stop();
  if (status !== 200 || fp !== probe.fingerprint256) throw new Error(`start-up probe failed: admin ${status}, ${fp === probe.fingerprint256 ? "right" : "wrong"} certificate`);
  return ms;
}

/** Every file of the data directory: inode and size, to tell appended bytes from rewritten files. */
function files(dir: string): Map<string, { ino: number; size: number }> {
  const out = new Map<string, { ino: number; size: number }>();
  for (const f of readdirSync(dir)) {
    const s = statSync(join(dir, f));
    out.set(f, { ino: s.ino, size: s.size });
  }
  return out;
}

/** Bytes the change from `a` to `b` wrote: new or replaced files whole, grown files by their growth. */
function written(a: Map<string, { ino: number; size: number }>, b: Map<string, { ino: number; size: number }>): number {
  let bytes = 0;
  for (const [f, now] of b) {
    const was = a.get(f);
    bytes += !was || was.ino !== now.ino ? now.size : Math.max(0, now.size - was.size);
  }
  return bytes;
}

const storeSize = (dir: string): number => [...files(dir).values()].reduce((n, f) => n + f.size, 0);

/** Peak resident memory of a process, from /proc (Linux); undefined elsewhere. */
function peakRss(pid: number | undefined): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Writes {
  latencyMs: number;
  putMs: number;
  bytesWritten: number;
  storeBytes: number;
  peakRssBytes: number | undefined;
}

/** One commit of one new certificate, with the data plane applying it, in this process; one warm-up commit first. */
async function commits(certs: Material[], fresh: Material[]): Promise<number> {
  const dir = await filledStore(certs);
  const store = await openStore(dir, ids);
  const plane = createDataPlane({ warn: () => {} });
  plane.apply(store.state());
  store.onCommit((state) => plane.apply(state));
  const prepared: PreparedPut[] = [];
  for (const m of fresh) {
    const p = await preparePut("certificates", { chain: m.chainPem, key: m.keyPem }, new Date());
    if (isFailure(p)) throw new Error(p.error.message);
    prepared.push(p);
  }
  const times: number[] = [];
  for (const [i, p] of prepared.entries()) {
    const t0 = performance.now();
    const r = await store.commit((s) => applyPut(s, `p${i}`, p, s.revision + 1));
    if (!r.ok) throw new Error(r.failure.error.message);
    if (i > 0) times.push(performance.now() - t0);
  }
  await store.close();
  await plane.close();
  rmSync(join(dir, ".."), { recursive: true, force: true });
  return median(times);
}

/** PUT one new certificate → the first handshake for its host that presents it; one warm-up write first. */
async function writes(dir: string, fresh: Material[]): Promise<Writes> {
  const gw = await startGateway(dir);
  const latency: number[] = [];
  const put: number[] = [];
  const bytes: number[] = [];
  try {
    for (const [i, m] of fresh.entries()) {
      const before = files(dir);
      const t0 = performance.now();
      const status = await adminCall(gw.admin, "PUT", `/v1/certificates/w${i}`, { chain: m.chainPem, key: m.keyPem });
      const t1 = performance.now();
      if (status !== 201) throw new Error(`PUT answered ${status}`);
      let tries = 0;
      while ((await handshake(gw.port, m.host)) !== m.fingerprint256) if (++tries > 1000) throw new Error("the new certificate is never presented");
      const t2 = performance.now();
      if (i === 0) continue;
      latency.push(t2 - t0);
      put.push(t1 - t0);
      bytes.push(written(before, files(dir)));
    }
    return { latencyMs: median(latency), putMs: median(put), bytesWritten: median(bytes), storeBytes: storeSize(dir), peakRssBytes: peakRss(gw.child.pid) };
  } finally {
    await gw.stop();
  }
}

interface Measured {
  certificates: number;
  startUpMs: number;
  writeToHandshakeMs: number;
  writePutMs: number;
  bytesWrittenByOneWrite: number;
  storeBytes: number;
  peakRssBytes: number | undefined;
  commitInProcessMs: number;
}

async function measure(certs: Material[], fresh: Material[]): Promise<Measured> {
  const dir = await filledStore(certs);
  const probeIndex = Math.floor(certs.length / 2);
  const starts: number[] = [];
  for (let r = 0; r < runs; r++) starts.push(await startUp(dir, certs[probeIndex]!, `c${probeIndex}`));
  const w = await writes(dir, fresh);
  rmSync(join(dir, ".."), { recursive: true, force: true });
  const commitInProcessMs = await commits(certs, fresh);
  return { certificates: certs.length, startUpMs: median(starts), writeToHandshakeMs: w.latencyMs, writePutMs: w.putMs, bytesWrittenByOneWrite: w.bytesWritten, storeBytes: w.storeBytes, peakRssBytes: w.peakRssBytes, commitInProcessMs };
}

// Writes are cheap to repeat and noisy on a shared machine: more of them than start-ups.
const writeRuns = Math.max(15, runs * 3);
const all = material(count + writeRuns + 1);
const certs = all.slice(0, count);
const fresh = all.slice(count, count + writeRuns + 1);
log(`gateway with ${count} certificates: medians of ${runs} start-ups and ${writeRuns} writes, machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
const baseline = await measure(all.slice(0, 1), fresh);
const measured = await measure(certs, fresh);

if (asJson) {
  process.stdout.write(`${JSON.stringify({ bench: "gateway", date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, platform: process.platform }, runs, baseline, measured })}\n`);
} else {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
  const size = (v: number | undefined) => (v === undefined ? "n/a" : v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(1)} MiB` : `${(v / 1024).toFixed(1)} KiB`);
  const rows: [string, string, string][] = [
    ["start-up to admin + handshake", ms(baseline.startUpMs), ms(measured.startUpMs)],
    ["one write (PUT) to its handshake", ms(baseline.writeToHandshakeMs), ms(measured.writeToHandshakeMs)],
    ["  of which the PUT", ms(baseline.writePutMs), ms(measured.writePutMs)],
    ["one commit + apply, in-process", ms(baseline.commitInProcessMs), ms(measured.commitInProcessMs)],
    ["bytes written by one write", size(baseline.bytesWrittenByOneWrite), size(measured.bytesWrittenByOneWrite)],
    ["store size", size(baseline.storeBytes), size(measured.storeBytes)],
    ["gateway peak RSS", size(baseline.peakRssBytes), size(measured.peakRssBytes)],
  ];
  log(`${"".padEnd(34)}${"1 certificate".padStart(16)}${`${count} certificates`.padStart(20)}`);
  for (const [label, a, b] of rows) log(`${label.padEnd(34)}${a.padStart(16)}${b.padStart(20)}`);
}
