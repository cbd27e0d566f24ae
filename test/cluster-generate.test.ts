import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readPlanFileText } from "../src/plan/plan-file.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStore } from "../src/gateway/store/index.js";
import type { Plan } from "../src/model/plan.js";
import { planPaths } from "../src/plan/index.js";
import { renderPlanJson } from "../src/render/plan-json.js";
import { certform, type CliResult } from "./support/cli.js";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { makeCa } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// Issue 15, part 3: an environment is one cluster behind one name, so a generated certificate is generated
// once and every node serves the same one (same key, same fingerprint, same JWKS kid). Real gateway
// processes, the real command line, real TLS handshakes.

const DAY = 86_400_000;
let p1: GatewayProcess;
let p2: GatewayProcess;
let p3: GatewayProcess;
let s1: GatewayProcess;
const work = mkdtempSync(join(tmpdir(), "certform-cluster-gen-"));
/** Everything certform printed or wrote (plans, bundles, stacks): checked for key echoes at the end. */
const written: string[] = [];
const keys = new Map<string, KeyObject>();

const stack = (nodes: GatewayProcess[]) => `apiVersion: certform/v1
kind: Stack
name: cluster
environments:
  prod: { gateway: { type: embedded, nodes: [${nodes.map((n) => `"${n.admin}"`).join(", ")}] } }
certificates:
  wild: { generate: { hosts: ["*.prod.example.com", "prod.example.com"], validity: 60d, renewBefore: 20d } }
jwks:
  signing: { certificate: wild }
`;
let dir: string;
const writeStack = (nodes: GatewayProcess[]) => writeFileSync(join(dir, "stack.yaml"), stack(nodes));

async function cli(args: string[]): Promise<CliResult> {
  const r = await certform(args, { cwd: work });
  written.push(r.stdout, r.stderr);
  return r;
}

/** The leaf a node serves for a host of the certificate, over TLS. */
async function served(gw: GatewayProcess): Promise<string> {
  const leaf = await handshake(gw.listenPort, "api.prod.example.com");
  return new X509Certificate(leaf.raw).fingerprint256;
}

/** The kids a node publishes at /.well-known/jwks.json. */
function kids(gw: GatewayProcess): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: gw.listenPort, path: "/.well-known/jwks.json", servername: "api.prod.example.com", rejectUnauthorized: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve((JSON.parse(text) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort()));
    });
    req.once("error", reject);
    req.end();
  });
}

/** Every private key a node's store holds, remembered for the key-echo check. */
async function rememberKeys(gw: GatewayProcess): Promise<void> {
  // The snapshot and the journal of the commits since, read as the node reads them.
  const state = (await loadStore(gw.dataDir))!.state;
  for (const c of state.certificates.values()) {
    const key = createPrivateKey(c.keyPem);
    keys.set(key.export({ type: "pkcs8", format: "der" }).toString("base64"), key);
  }
}

/** `export` of prod succeeds only while its nodes hold the same objects. */
async function exportsCleanly(objects: number): Promise<void> {
  const r = await cli(["export", dir, "--env", "prod", "--format", "json"]);
  expect(r.stderr).toContain(`Exported ${objects} objects of environment prod`);
  expect(r.code).toBe(0);
}

async function planJson(): Promise<{ code: number | null; plan: Plan }> {
  const r = await cli(["plan", dir, "--format", "json", "--detailed-exitcode"]);
  expect(r.stderr).not.toMatch(/error/i);
  return { code: r.code, plan: JSON.parse(r.stdout) as Plan };
}

beforeAll(async () => {
  [p1, p2, p3, s1] = await Promise.all([
    startGateway({ environment: "prod", node: "prod-1" }),
    startGateway({ environment: "prod", node: "prod-2" }),
    startGateway({ environment: "prod", node: "prod-3" }),
    startGateway({ environment: "stage", node: "stage-1" }),
  ]);
  dir = writeStackDir({ "stack.yaml": stack([p1, p2]) });
});
afterAll(async () => {
  await Promise.all([p1?.stop(), p2?.stop(), p3?.stop(), s1?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe("a generated certificate in a two-node environment", () => {
  let fingerprint: string;
  let kid: string[];

  it("is generated once: both nodes serve the same leaf and publish the same kid, and plan shows no changes", async () => {
    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    fingerprint = await served(p1);
    expect(await served(p2)).toBe(fingerprint);
    kid = await kids(p1);
    expect(kid).toHaveLength(1);
    expect(await kids(p2)).toEqual(kid);
    const [a, b] = await Promise.all([api(p1.admin, "GET", "/v1/certificates"), api(p2.admin, "GET", "/v1/certificates")]);
    expect(a.body.items[0]).toMatchObject({ generated: true, fingerprint256: fingerprint });
    expect(b.body.items[0].keyFingerprint256).toBe(a.body.items[0].keyFingerprint256);
    await rememberKeys(p1);
    await rememberKeys(p2);

    const again = await planJson();
    expect(again.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(again.code).toBe(0);
  });

  it("exports (the nodes agree), and export → import → apply to another environment → plan shows no changes", async () => {
    const zip = join(work, "prod.zip");
    const exported = await cli(["export", dir, "--env", "prod", "--out", zip]);
    expect(exported.stderr + exported.stdout).toContain("Exported 2 objects of environment prod");
    expect(exported.code).toBe(0);
    written.push(readFileSync(zip).toString("latin1"));
    const cert = await cli(["export-cert", "certificates.wild", dir, "--env", "prod", "--format", "pem"]);
    expect(cert.code).toBe(0);
    expect(new X509Certificate(cert.stdout).fingerprint256).toBe(fingerprint);

    const target = join(work, "stage");
    const imported = await cli(["import", zip, "--env", "stage", "--out", target, "--node", s1.admin]);
    expect(imported.code).toBe(0);
    for (const f of readdirSync(target, { recursive: true, withFileTypes: true })) if (f.isFile()) written.push(readFileSync(join(f.parentPath, f.name), "utf8"));
    const applied = await cli(["apply", target, "--auto-approve"]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    await rememberKeys(s1);
    const after = await cli(["plan", target, "--detailed-exitcode"]);
    expect(after.stdout).toContain("No changes");
    expect(after.code).toBe(0);
  });

  it("a node that serves another certificate is drift: plan names it, apply copies the one the other node serves", async () => {
    // Someone regenerates the certificate on node 2 behind certform's back (same owner labels).
    const live = (await api(p2.admin, "GET", "/v1/certificates")).body.items[0];
    const put = await api(p2.admin, "PUT", `/v1/certificates/${live.name}`, { hosts: live.hosts, generate: { hosts: ["*.prod.example.com", "prod.example.com"], validityDays: 60 }, labels: live.labels });
    expect(put.status).toBe(200);
    await rememberKeys(p2);
    expect(await served(p2)).not.toBe(fingerprint);
    expect(await kids(p2)).not.toEqual(kid);

    const planned = await planJson();
    expect(planned.code).toBe(2);
    const change = planned.plan.resource_changes.find((c) => c.address === "certificates.wild[prod]")!;
    expect(change.action).toBe("replace");
    expect(change.nodes).toEqual([p2.admin]);
    expect(change.drift.map((d) => d.node)).toEqual([p2.admin]);
    expect(change.reasons.join("\n")).toContain(p1.admin);
    expect(change.after?.certificate?.fingerprint256).toBe(fingerprint);
    expect(change.before?.certificate?.fingerprint256).toBe(await served(p2));
    const planFile = join(work, "repair.plan.json");
    const saved = await cli(["plan", dir, "--out", planFile]);
    expect(saved.stdout).toMatch(/drift/);
    expect(saved.stdout).toContain(p2.admin);
    written.push(readPlanFileText(planFile));

    const applied = await cli(["apply", planFile, "--auto-approve"]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    expect(await served(p2)).toBe(fingerprint);
    expect(await served(p1)).toBe(fingerprint);
    expect(await kids(p2)).toEqual(kid);
    expect((await planJson()).code).toBe(0);
    await exportsCleanly(2);
  });

  it("a new empty node gets a copy of the certificate the others serve", async () => {
    writeStack([p1, p2, p3]);
    const planned = await planJson();
    expect(planned.code).toBe(2);
    const change = planned.plan.resource_changes.find((c) => c.address === "certificates.wild[prod]")!;
    expect(change).toMatchObject({ action: "create", nodes: [p3.admin] });
    expect(change.drift.map((d) => d.node)).toEqual([p3.admin]);

    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    expect(await Promise.all([served(p1), served(p2), served(p3)])).toEqual([fingerprint, fingerprint, fingerprint]);
    expect(await kids(p3)).toEqual(kid);
    expect((await planJson()).code).toBe(0);
    await exportsCleanly(2);
  });

  it("is renewed inside renewBefore with one new certificate on every node", async () => {
    const made = await planPaths([dir], { prune: true, now: new Date(Date.now() + 45 * DAY) });
    if ("failed" in made) throw new Error(JSON.stringify(made.failed));
    const change = made.plan.resource_changes.find((c) => c.address === "certificates.wild[prod]")!;
    expect(change.action).toBe("replace");
    expect(change.reasons[0]).toMatch(/^renewal due: expires in 1[45] days, renewBefore 20d$/);
    expect(change.drift).toEqual([]);
    const planFile = join(work, "renew.plan.json");
    const text = renderPlanJson(made.plan);
    writeFileSync(planFile, text);
    written.push(text);

    const applied = await cli(["apply", planFile, "--auto-approve"]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    const renewed = await Promise.all([served(p1), served(p2), served(p3)]);
    expect(renewed[0]).not.toBe(fingerprint);
    expect(renewed).toEqual([renewed[0], renewed[0], renewed[0]]);
    const newKid = await kids(p1);
    expect(newKid).not.toEqual(kid);
    expect(await kids(p2)).toEqual(newKid);
    expect(await kids(p3)).toEqual(newKid);
    for (const gw of [p1, p2, p3]) await rememberKeys(gw);
    expect((await planJson()).code).toBe(0);
    await exportsCleanly(2);
  });

});

describe("a generated certificate issued by the stack's CA", () => {
  it("is issued once, and both nodes serve the same chain", async () => {
    const ca = await makeCa({ subject: "CN=Cluster Test CA" });
    keys.set("ca", ca.key);
    const issuedDir = writeStackDir({
      "ca.pem": ca.pem,
      "ca.key": ca.keyPem,
      "stack.yaml": `apiVersion: certform/v1
kind: Stack
name: issued
environments:
  prod: { gateway: { type: embedded, nodes: ["${p1.admin}", "${p2.admin}"] } }
certificates:
  internal: { generate: { hosts: ["*.issued.example.com"], issuer: { certificate: { file: ca.pem }, key: { file: ca.key } } } }
`,
    });
    const applied = await cli(["apply", issuedDir, "--auto-approve"]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    const [a, b] = await Promise.all([p1, p2].map((gw) => handshake(gw.listenPort, "x.issued.example.com")));
    expect(a!.fingerprint256).toBe(b!.fingerprint256);
    expect(new X509Certificate(a!.raw).checkIssued(ca.certificate)).toBe(true);
    for (const gw of [p1, p2]) await rememberKeys(gw);
    const again = await cli(["plan", issuedDir, "--detailed-exitcode"]);
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
  });
});

describe("keys", () => {
  it("never shows a private key: not in any output, plan file, bundle or imported stack", () => {
    expect(keys.size).toBeGreaterThanOrEqual(5);
    const all = written.join("\n");
    expect(all).not.toMatch(/PRIVATE KEY/);
    for (const key of keys.values()) expect(keyEchoes(all, secretOf(key))).toEqual([]);
  });
});
