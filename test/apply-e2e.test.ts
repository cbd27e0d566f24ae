import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplyReportSchema } from "../src/model/apply-report.js";
import { certform } from "./support/cli.js";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { daysFromNow, issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

let dev: GatewayProcess;
let prod1: GatewayProcess;
let prod2: GatewayProcess;
let ca: Issued;
let v1: Issued;
let v2: Issued;
let dir: string;

function writeStack(cert: Issued, extra = ""): void {
  writeFileSync(join(dir, "stacks", "api.pem"), toPem([cert.certificate, ca.certificate]));
  writeFileSync(join(dir, "stacks", "api.key"), cert.keyPem);
  writeFileSync(
    join(dir, "stacks", "payments.yaml"),
    `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["${dev.admin}"] } }
  prod: { gateway: { type: embedded, nodes: ["${prod1.admin}", "${prod2.admin}"] } }
certificates:
  api: { certificate: { file: api.pem }, key: { file: api.key } }
  wild: { generate: { hosts: ["*.internal.example.com"] } }
trustedCertificates:
  ca: { certificate: { file: ca.pem } }
endpoints:
  billing: { url: "https://billing.internal:9443" }
trustAssignments:
  billing: { certificate: ca, endpoint: billing }
jwks:
  signing: { certificate: api }
${extra}`,
  );
}

beforeAll(async () => {
  ca = await makeCa();
  [v1, v2] = await Promise.all([issue({ issuer: ca, hosts: ["api.example.com"] }), issue({ issuer: ca, hosts: ["api.example.com"] })]);
  [dev, prod1, prod2] = await Promise.all([startGateway({ environment: "dev", node: "dev-1" }), startGateway({ environment: "prod", node: "prod-1" }), startGateway({ environment: "prod", node: "prod-2" })]);
  dir = writeStackDir({ "stacks/ca.pem": ca.pem });
  writeStack(v1);
});
/** apply --format json, as schemas/apply.schema.json describes it: nothing in it the schema does not know. */
function applyReport(stdout: string): Record<string, unknown> {
  const report = JSON.parse(stdout);
  expect(ApplyReportSchema.parse(report)).toEqual(report);
  return report;
}

afterAll(async () => {
  await Promise.all([dev?.stop(), prod1?.stop(), prod2?.stop()]);
});

describe("certform apply", () => {
  it("refuses to apply without a terminal to ask, unless --auto-approve", async () => {
    const r = await certform(["apply"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("there is no terminal to ask");
    expect((await api(prod1.admin, "GET", "/v1/status")).body.revision).toBe(0);
  });

  it("reports a stack that cannot be planned as one JSON document with every diagnostic", async () => {
    const r = await certform(["apply", "no-such-dir", "--auto-approve", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(applyReport(r.stdout)).toMatchObject({ ok: false, error: { code: "no-plan" }, errors: [{ code: "path-not-found", file: "no-such-dir" }] });
    expect(r.stderr).toContain("Nothing was changed on any gateway.");
    // Without a terminal to ask, nothing is applied: the reason is the document's error.
    const unasked = await certform(["apply", "--format", "json"], { cwd: dir });
    expect(unasked.code).toBe(1);
    expect(applyReport(unasked.stdout)).toMatchObject({ ok: false, error: { code: "apply-failed", message: expect.stringContaining("there is no terminal to ask") } });
  });

  it("applies every environment in order, verifies over TLS, and a second plan shows no changes", async () => {
    const r = await certform(["apply", "--auto-approve"], { cwd: dir });
    expect(r.stdout).toContain("Apply complete! 12 created, 0 updated, 0 replaced, 0 deleted.");
    expect(r.code).toBe(0);
    expect(r.stdout.indexOf("dev: verified")).toBeLessThan(r.stdout.indexOf("prod: verified"));
    for (const gw of [dev, prod1, prod2]) expect((await handshake(gw.listenPort, "api.example.com")).fingerprint256).toBe(v1.certificate.fingerprint256);
    const again = await certform(["plan", "--detailed-exitcode"], { cwd: dir });
    expect(again.stdout).toContain("No changes. The gateways match the stack.");
    expect(again.code).toBe(0);
    expect((await certform(["apply", "--auto-approve"], { cwd: dir })).stdout).toContain("No changes.");
  });

  it("replaces a certificate while clients connecting continuously never fail a handshake", async () => {
    writeStack(v2);
    let stop = false;
    const failures: string[] = [];
    let handshakes = 0;
    const loop = async (port: number) => {
      while (!stop) {
        try {
          await handshake(port, "api.example.com");
          handshakes++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [loop(prod1.listenPort), loop(prod2.listenPort), loop(dev.listenPort)];
    const r = await certform(["apply", "--auto-approve", "--format", "json"], { cwd: dir });
    stop = true;
    await Promise.all(loops);
    const report = applyReport(r.stdout);
    expect(report).toMatchObject({ ok: true, summary: { replaced: 2, updated: 2 }, verification: [] });
    expect(failures).toEqual([]);
    expect(handshakes).toBeGreaterThan(10);
    for (const gw of [dev, prod1, prod2]) expect((await handshake(gw.listenPort, "api.example.com")).fingerprint256).toBe(v2.certificate.fingerprint256);
  });

  it("fails at once when another apply holds a node's lock, naming the holder; force-unlock releases it", async () => {
    expect((await api(prod2.admin, "POST", "/v1/lock", { holder: "alice's apply", purpose: "apply", ttlSeconds: 600 })).status).toBe(200);
    writeStack(v1);
    // With --format json the words go to stderr and stdout holds the report.
    const r = await certform(["apply", "--auto-approve", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("prod is locked by alice's apply");
    expect(r.stderr).toContain("certform force-unlock prod");
    expect(applyReport(r.stdout)).toMatchObject({ ok: false, error: { code: "locked", holder: "alice's apply" } });
    // Nothing was written, and the locks it took on the other nodes were released.
    expect((await api(dev.admin, "GET", "/v1/status")).body.lock).toBeNull();
    const unlock = await certform(["force-unlock", "prod"], { cwd: dir });
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain("released the lock of alice's apply");
  });

  it("applies a saved plan exactly, and refuses it as stale when a node or a source changed", async () => {
    const saved = await certform(["plan", "--out", "plan.json"], { cwd: dir });
    expect(saved.code).toBe(0);
    // A node moved on since the plan.
    await api(prod1.admin, "PUT", "/v1/endpoints/someone-elses", { url: "https://x.internal", path: "/x" });
    const stale = await certform(["apply", "plan.json", "--format", "json"], { cwd: dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale.*\n.*prod: node .* is at revision \d+, the plan was made at \d+/);
    expect(applyReport(stale.stdout)).toMatchObject({ ok: false, error: { code: "stale-plan", message: expect.stringMatching(/prod: node .* is at revision/) } });
    await api(prod1.admin, "DELETE", "/v1/endpoints/someone-elses");

    // A source changed since the plan.
    await certform(["plan", "--out", "plan.json"], { cwd: dir });
    writeStack(v2);
    const changed = await certform(["apply", "plan.json"], { cwd: dir });
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("changed since the plan");

    writeStack(v1);
    const fresh = await certform(["plan", "--out", "plan.json"], { cwd: dir });
    expect(fresh.code).toBe(0);
    const applied = await certform(["apply", "plan.json"], { cwd: dir });
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
  });

  it("reports exactly what was applied and what was not when an operation fails, and a re-run converges", async () => {
    // An object this stack does not own blocks a route the stack adds (the gateway refuses duplicate paths).
    await api(prod2.admin, "PUT", "/v1/endpoints/blocker", { url: "https://blocker.internal", path: "/ledger" });
    writeStack(v1);
    writeFileSync(join(dir, "stacks", "extra.yaml"), "apiVersion: certform/v1\nkind: Stack\nname: payments\nendpoints:\n  ledger: { url: \"https://ledger.internal:9443\" }\ntrustAssignments:\n  ledger: { certificate: ca, endpoint: ledger }\n");
    const r = await certform(["apply", "--auto-approve", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Apply failed: prod: node .*path/);
    expect(r.stderr).toMatch(/failed\s+put endpoints\.ledger\[prod\] on /);
    expect(r.stderr).toMatch(/not applied put trustAssignments\.ledger\[prod\] on /);
    expect(r.stderr).toContain("A new plan shows what is left");
    const failed = applyReport(r.stdout) as { ok: boolean; operations: { state: string; address: string; error?: string }[] };
    expect(failed.ok).toBe(false);
    expect(failed.operations).toContainEqual(expect.objectContaining({ state: "failed", address: "endpoints.ledger[prod]", error: expect.stringContaining("path") }));
    await api(prod2.admin, "DELETE", "/v1/endpoints/blocker");
    const rerun = await certform(["apply", "--auto-approve"], { cwd: dir });
    expect(rerun.stdout).toContain("Apply complete!");
    expect(rerun.code).toBe(0);
    expect((await certform(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("destroy deletes everything the stack owns, children first, even a certificate that expired meanwhile", async () => {
    // An expired certificate stops plan and apply; removing it is what destroy is for.
    const expired = await issue({ issuer: ca, hosts: ["api.example.com"], notBefore: daysFromNow(-30), notAfter: daysFromNow(-1) });
    writeStack(expired);
    const plan = await certform(["plan"], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toContain("expired");
    const r = await certform(["destroy", "--auto-approve"], { cwd: dir });
    expect(r.stdout).toMatch(/Destroy complete! 0 created, 0 updated, 0 replaced, \d+ deleted\./);
    expect(r.code).toBe(0);
    for (const gw of [dev, prod1, prod2]) {
      const status = (await api(gw.admin, "GET", "/v1/status")).body;
      expect(status.certificates).toEqual([]);
      expect(status.endpoints).toBe(0);
    }
  });
});
