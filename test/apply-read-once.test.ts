import { createServer, type Server } from "node:tls";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { applyFlow, type ApplyFlowOptions, type ApplyUi } from "../src/apply/flow.js";
import { planPaths, savePlan } from "../src/plan/index.js";
import { renderPlanJson } from "../src/render/plan-json.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, makePki, toPem, type Issued, type Pki } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// apply reads the stack once: every file of it (the stack file and each certificate and key file) is read
// once per command, and each url: source captured once. The reads are observed where Node serves them, so
// the stack reader runs exactly as it does for a user.

const reads = vi.hoisted(() => [] as string[]);
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const readFile = ((path: Parameters<typeof real.readFile>[0], ...rest: unknown[]) => {
    reads.push(String(path));
    return (real.readFile as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof real.readFile;
  return { ...real, readFile, default: { ...real, readFile } };
});
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const readFileSync = ((path: Parameters<typeof real.readFileSync>[0], ...rest: unknown[]) => {
    reads.push(String(path));
    return (real.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof real.readFileSync;
  return { ...real, readFileSync, default: { ...real, readFileSync } };
});

let gw: GatewayProcess;
let ca: Issued;
let server: Server;
let connections = 0;
let serverUrl: string;
let backend: Pki;

const ui: ApplyUi = { approve: async () => true, progress: () => {} };
const options: ApplyFlowOptions = { prune: true, parallelism: 2, verify: true, version: "0.0.0-test", command: "apply" };

/** How often each file of the stack directory was read since the last reset. */
function readsIn(dir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of reads) {
    const abs = resolve(p);
    if (abs.startsWith(dir + "/")) counts[abs.slice(dir.length + 1)] = (counts[abs.slice(dir.length + 1)] ?? 0) + 1;
  }
  return counts;
}

async function stackDir(cert: Issued): Promise<string> {
  return writeStackDir({
    "stack.yaml": [
      "apiVersion: certform/v1",
      "kind: Stack",
      "name: once",
      "environments:",
      `  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }`,
      "certificates:",
      "  api: { certificate: { file: api.pem }, key: { file: api.key } }",
      "trustedCertificates:",
      "  backend-ca: { certificate: { file: ca.pem } }",
      `  captured: { certificate: { url: "${serverUrl}", select: root } }`,
      "",
    ].join("\n"),
    "api.pem": toPem([cert.certificate, ca.certificate]),
    "api.key": cert.keyPem,
    "ca.pem": ca.pem,
  });
}

beforeAll(async () => {
  ca = await makeCa();
  backend = await makePki();
  gw = await startGateway({ environment: "dev", node: "dev-1" });
  server = createServer({ cert: backend.fullChainPem, key: backend.leaf.keyPem }, (s) => s.end());
  server.on("connection", () => connections++);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  serverUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  gw?.stop();
  await new Promise((done) => server?.close(done));
});
beforeEach(() => {
  reads.length = 0;
  connections = 0;
});

describe("apply reads the stack once", () => {
  it("apply PATH reads each file once and captures each url: source once, with changes and without", async () => {
    const dir = await stackDir(await issue({ issuer: ca, hosts: ["api.example.com"] }));
    const applied = await applyFlow({ paths: [join(dir, "stack.yaml")] }, options, ui);
    expect(applied.kind).toBe("applied");
    expect(applied.kind === "applied" && applied.result.ok).toBe(true);
    expect(readsIn(dir)).toEqual({ "stack.yaml": 1, "api.pem": 1, "api.key": 1, "ca.pem": 1 });
    expect(connections).toBe(1);

    reads.length = 0;
    connections = 0;
    const again = await applyFlow({ paths: [join(dir, "stack.yaml")] }, options, ui);
    expect(again.kind).toBe("no-changes");
    expect(again.kind === "no-changes" && again.verification).toEqual([]);
    expect(readsIn(dir)).toEqual({ "stack.yaml": 1, "api.pem": 1, "api.key": 1, "ca.pem": 1 });
    expect(connections).toBe(1);
  });

  it("apply PLANFILE reads each file once, and still finds a source that changed since the plan", async () => {
    const dir = await stackDir(await issue({ issuer: ca, hosts: ["api.example.com"] }));
    const made = await planPaths([join(dir, "stack.yaml")], { prune: true });
    if ("failed" in made) throw new Error(JSON.stringify(made.failed));
    expect(made.plan.summary.replace + made.plan.summary.update).toBeGreaterThan(0);
    const planFile = join(dir, "plan.json");
    savePlan(planFile, renderPlanJson(made.plan));

    // The url: source serves another chain now: the saved plan is stale, found by the same single read.
    const other = await makePki();
    server.setSecureContext({ cert: other.fullChainPem, key: other.leaf.keyPem });
    reads.length = 0;
    connections = 0;
    const stale = await applyFlow({ planFile }, options, ui);
    expect(stale).toEqual({ kind: "stale", reasons: ["the certificate of trustedCertificates.captured[dev] changed since the plan"] });
    expect(readsIn(dir)).toEqual({ "stack.yaml": 1, "api.pem": 1, "api.key": 1, "ca.pem": 1, "plan.json": 1 });
    expect(connections).toBe(1);

    server.setSecureContext({ cert: backend.fullChainPem, key: backend.leaf.keyPem });
    reads.length = 0;
    connections = 0;
    const applied = await applyFlow({ planFile }, options, ui);
    expect(applied.kind === "applied" && applied.result.ok).toBe(true);
    expect(readsIn(dir)).toEqual({ "stack.yaml": 1, "api.pem": 1, "api.key": 1, "ca.pem": 1, "plan.json": 1 });
    expect(connections).toBe(1);
  });
});
