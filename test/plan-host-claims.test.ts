// A certificate that this stack does not own (another stack's, or nobody's) and that claims a host one of
// our certificates serves is a plan error naming both, and apply refuses it the same way, changing nothing.
// Real gateway, the real command line; the foreign objects are put straight through the admin API.
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { certform } from "./support/cli.js";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

let gw: GatewayProcess;
let ca: Issued;
let dir: string;
const ours: Record<string, Issued> = {};
/** The foreign certificates a test put, taken away after it whatever its outcome. */
const foreign = new Set<string>();

function writeStack(certificates: string): void {
  writeFileSync(
    join(dir, "stack.yaml"),
    `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }
certificates:
${certificates}`,
  );
}

/** A certificate put straight on the node, owned by `stack` (none: owned by nobody). */
async function putForeign(name: string, hosts: string[], opts: { stack?: string; default?: boolean } = {}): Promise<void> {
  const cert = await issue({ issuer: ca, hosts: hosts });
  const labels = opts.stack ? { "certform.dev/stack": opts.stack, "certform.dev/address": `certificates.${name}[dev]` } : {};
  const r = await api(gw.admin, "PUT", `/v1/certificates/${name}`, { chain: toPem([cert.certificate, ca.certificate]), key: cert.keyPem, hosts, default: opts.default ?? false, labels });
  expect(r.status, r.text).toBe(201);
  foreign.add(name);
}

async function removeForeign(name: string): Promise<void> {
  expect((await api(gw.admin, "DELETE", `/v1/certificates/${name}`)).status).toBe(200);
  foreign.delete(name);
}

const revision = async () => (await api(gw.admin, "GET", "/v1/status")).body.revision as number;

beforeAll(async () => {
  ca = await makeCa();
  [ours.api, ours.wild] = await Promise.all([issue({ issuer: ca, hosts: ["api.example.com"] }), issue({ issuer: ca, hosts: ["*.example.com"] })]);
  gw = await startGateway({ environment: "dev", node: "dev-1" });
  dir = writeStackDir({
    "api.pem": toPem([ours.api!.certificate, ca.certificate]),
    "api.key": ours.api!.keyPem,
    "wild.pem": toPem([ours.wild!.certificate, ca.certificate]),
    "wild.key": ours.wild!.keyPem,
  });
});
afterEach(async () => {
  for (const name of foreign) await removeForeign(name);
});
afterAll(async () => {
  await gw?.stop();
});

const API = `  api: { certificate: { file: api.pem }, key: { file: api.key } }\n`;
const WILD = `  wild: { certificate: { file: wild.pem }, key: { file: wild.key } }\n`;

describe("a foreign certificate claiming one of our hosts", () => {
  it("another stack's certificate on the same exact host: plan exits 1 naming both, apply refuses and changes nothing", async () => {
    writeStack(API);
    await putForeign("theirs", ["api.example.com"], { stack: "other" });
    const before = await revision();

    const plan = await certform(["plan", "."], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("error[host-claimed] certificates.api[dev]:");
    expect(plan.stdout).toContain('certificates "theirs"');
    expect(plan.stdout).toContain('stack "other"');
    expect(plan.stdout).toContain(gw.admin);
    expect(plan.stdout).toContain("api.example.com");
    expect(plan.stdout).toMatch(/hint: .*remove api\.example\.com from stack "other".*or drop api\.example\.com from certificates\.api\[dev\]/);

    const json = await certform(["plan", ".", "--format", "json"], { cwd: dir });
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.errors).toEqual([expect.objectContaining({ code: "host-claimed", address: "certificates.api[dev]", message: expect.stringContaining('certificates "theirs"'), hint: expect.any(String) })]);

    const apply = await certform(["apply", ".", "--auto-approve"], { cwd: dir });
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain("error[host-claimed] certificates.api[dev]:");
    expect(await revision()).toBe(before);
    expect((await api(gw.admin, "GET", "/v1/certificates/api")).status).toBe(404);
    await removeForeign("theirs");
  });

  it("an unowned certificate: the error says nobody owns it and how to take it out of the way", async () => {
    writeStack(API);
    await putForeign("stray", ["API.example.com"]);
    const plan = await certform(["plan", "."], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/error\[host-claimed\] certificates\.api\[dev\]: .*certificates "stray".*not owned by any stack/);
    await removeForeign("stray");
  });

  it("the same wildcard, and an exact host under our wildcard (an exact host wins over a wildcard), are claims", async () => {
    writeStack(WILD);
    await putForeign("their-wild", ["*.example.com"], { stack: "other" });
    let plan = await certform(["plan", "."], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/error\[host-claimed\] certificates\.wild\[dev\]: .*\*\.example\.com/);
    await removeForeign("their-wild");

    await putForeign("their-www", ["www.example.com"], { stack: "other" });
    plan = await certform(["plan", "."], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/error\[host-claimed\] certificates\.wild\[dev\]: .*www\.example\.com.*\*\.example\.com/);
    await removeForeign("their-www");
  });

  it("a foreign wildcard beside our exact host takes nothing away: no error, and ours is served after apply", async () => {
    writeStack(API);
    await putForeign("their-wild", ["*.example.com"], { stack: "other" });
    const plan = await certform(["plan", "."], { cwd: dir });
    expect(plan.stdout).not.toContain("host-claimed");
    expect(plan.code).toBe(0);
    const apply = await certform(["apply", ".", "--auto-approve"], { cwd: dir });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect((await handshake(gw.listenPort, "api.example.com")).fingerprint256).toBe(ours.api!.certificate.fingerprint256);
    await removeForeign("their-wild");
  });

  it("both default: true is a claim on clients that match no host", async () => {
    writeStack(`  api: { certificate: { file: api.pem }, key: { file: api.key }, default: true }\n`);
    await putForeign("their-default", ["other.example.net"], { stack: "other", default: true });
    const plan = await certform(["plan", "."], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/error\[host-claimed\] certificates\.api\[dev\]: .*default: true.*certificates "their-default"/);
    expect(plan.stdout).toMatch(/hint: .*default: false/);
    await removeForeign("their-default");
  });
});
