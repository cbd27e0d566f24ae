// The plan warns whenever an endpoint's backend trust shrinks, and says whether the backend's chain,
// captured while planning, still verifies against what remains. Real gateway, real backends over TLS,
// the real command line; the predictions are then checked against what the gateway does after apply.
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform, type CliResult } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

let gw: GatewayProcess;
let billingCa: Issued;
let corpRoot: Issued;
let otherCa: Issued;
let backend: Server;
let billingUrl: string;
let downUrl: string;
let dir: string;

const BASE = {
  trusted: `  billing-ca: { certificate: { file: billing-ca.pem } }\n  corp-root: { certificate: { file: corp-root.pem } }\n`,
  endpoints: () => `  billing: { url: "${billingUrl}" }\n  down: { url: "${downUrl}" }\n`,
  assignments: {
    "billing-backend": "{ certificate: billing-ca, endpoint: billing }",
    "down-backend": "{ certificate: billing-ca, endpoint: down }",
    corp: "{ certificate: corp-root, scope: environment }",
  } as Record<string, string>,
};

/** The stack with some assignments left out and, optionally, other trusted certificates. */
function writeStack(opts: { without?: string[]; trusted?: string; billingCaPem?: string } = {}): void {
  const assignments = Object.entries(BASE.assignments)
    .filter(([name]) => !opts.without?.includes(name))
    .map(([name, body]) => `  ${name}: ${body}\n`)
    .join("");
  writeFileSync(join(dir, "billing-ca.pem"), opts.billingCaPem ?? billingCa.pem);
  writeFileSync(
    join(dir, "stack.yaml"),
    `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }
certificates:
  site: { certificate: { file: site.pem }, key: { file: site.key }, default: true }
trustedCertificates:
${opts.trusted ?? BASE.trusted}endpoints:
${BASE.endpoints()}trustAssignments:
${assignments || "  {}\n"}`.replace("trustAssignments:\n  {}\n", ""),
  );
}

async function planJson(): Promise<{ warnings: { address: string | null; code: string; message: string }[] }> {
  const r = await certform(["plan", ".", "--format", "json"], { cwd: dir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const warningFor = (plan: Awaited<ReturnType<typeof planJson>>, address: string) => plan.warnings.filter((w) => w.address === address);

async function apply(): Promise<CliResult> {
  const r = await certform(["apply", ".", "--auto-approve"], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

/** A GET through the gateway to the billing endpoint: 200 when it trusts the backend, 502 when not. */
function viaGateway(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: gw.listenPort, path: "/billing/x", servername: "localhost", rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  [billingCa, corpRoot, otherCa] = await Promise.all([makeCa({ subject: "CN=Billing CA" }), makeCa({ subject: "CN=Corp Root" }), makeCa({ subject: "CN=Other CA" })]);
  const leaf = await issue({ issuer: billingCa, hosts: ["127.0.0.1"] });
  backend = createServer({ cert: toPem([leaf.certificate, billingCa.certificate]), key: leaf.keyPem }, (_req, res) => res.end("billing"));
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  billingUrl = `https://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  // A port that was just free and is closed again: nothing answers there.
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  downUrl = `https://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
  gw = await startGateway({ environment: "dev", node: "dev-1" });
  const site = await issue({ issuer: corpRoot, hosts: ["localhost"] });
  dir = writeStackDir({ "corp-root.pem": corpRoot.pem, "site.pem": toPem([site.certificate, corpRoot.certificate]), "site.key": site.keyPem });
  writeStack();
  await apply();
  expect(await viaGateway()).toBe(200);
});
afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => backend?.close(() => r()));
});

describe("plan warns when an endpoint's trust shrinks", () => {
  it("an environment-wide trust goes: each endpoint trusts less; the reachable backend still verifies, the other could not be reached", async () => {
    writeStack({ without: ["corp"] });
    const plan = await planJson();
    const [billing] = warningFor(plan, "endpoints.billing[dev]");
    expect(billing).toMatchObject({ code: "trust-reduced" });
    expect(billing!.message).toContain('loses "corp-root" (trustAssignments.corp[dev] is deleted)');
    expect(billing!.message).toContain('keeps "billing-ca"');
    expect(billing!.message).toContain(`${billingUrl}`);
    expect(billing!.message).toContain("still verifies");
    expect(billing!.message).not.toContain("502");
    const [down] = warningFor(plan, "endpoints.down[dev]");
    expect(down).toMatchObject({ code: "trust-reduced" });
    expect(down!.message).toMatch(/its backend https:\/\/127\.0\.0\.1:\d+ could not be reached at plan time to tell whether it still verifies: connection refused \(ECONNREFUSED\)$/);
  });

  it("the endpoint's own assignment goes while another remains: the backend will fail with 502", async () => {
    writeStack({ without: ["billing-backend"] });
    const plan = await planJson();
    const billing = warningFor(plan, "endpoints.billing[dev]");
    expect(billing).toHaveLength(1);
    expect(billing[0]).toMatchObject({ code: "trust-reduced" });
    expect(billing[0]!.message).toContain('loses "billing-ca" (trustAssignments.billing-backend[dev] is deleted)');
    expect(billing[0]!.message).toContain('keeps "corp-root"');
    expect(billing[0]!.message).toContain("will fail: 502");
    // The other endpoint keeps all it had: no warning.
    expect(warningFor(plan, "endpoints.down[dev]")).toEqual([]);

    const text = await certform(["plan", "."], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/warning\[trust-reduced\] endpoints\.billing\[dev\]: .*loses "billing-ca".*will fail: 502/);
    const md = await certform(["plan", ".", "--format", "markdown"], { cwd: dir });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/- `trust-reduced` `endpoints\.billing\[dev\]`: .*will fail: 502/);
  });

  it("a trusted certificate's content is replaced under the same alias: the backend will fail with 502", async () => {
    writeStack({ billingCaPem: otherCa.pem });
    const plan = await planJson();
    const [billing] = warningFor(plan, "endpoints.billing[dev]");
    expect(billing).toMatchObject({ code: "trust-reduced" });
    expect(billing!.message).toMatch(/loses the old "billing-ca" \(trustedCertificates\.billing-ca\[dev\] is replaced: CN=Billing CA \(.*\) → CN=Other CA \(.*\)\) and keeps the new "billing-ca", "corp-root"/);
    expect(billing!.message).toContain("will fail: 502");
    expect(warningFor(plan, "endpoints.down[dev]")[0]!.message).toContain("could not be reached");
  });

  it("a trusted certificate an endpoint relies on is deleted (with its assignments)", async () => {
    writeStack({ without: ["billing-backend", "down-backend"], trusted: `  corp-root: { certificate: { file: corp-root.pem } }\n` });
    const plan = await planJson();
    const [billing] = warningFor(plan, "endpoints.billing[dev]");
    expect(billing).toMatchObject({ code: "trust-reduced" });
    expect(billing!.message).toMatch(/loses "billing-ca" \(trustAssignments\.billing-backend\[dev\] is deleted; trustedCertificates\.billing-ca\[dev\] is deleted\)/);
    expect(billing!.message).toContain("will fail: 502");
  });

  it("nothing is left: trust-removed, and the backend will fail with 502", async () => {
    writeStack({ without: ["billing-backend", "corp"] });
    const plan = await planJson();
    const [billing] = warningFor(plan, "endpoints.billing[dev]");
    expect(billing).toMatchObject({ code: "trust-removed" });
    expect(billing!.message).toContain("will reject its backend");
    expect(billing!.message).toContain("will fail: 502");
  });

  it("the predictions hold once applied: 200 where it still verifies, 502 where it was to fail", async () => {
    writeStack({ without: ["corp"] });
    await apply();
    expect(await viaGateway()).toBe(200);
    writeStack();
    await apply();
    writeStack({ without: ["billing-backend"] });
    await apply();
    expect(await viaGateway()).toBe(502);
  });
});
