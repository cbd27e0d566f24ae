import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { planPaths } from "../src/plan/index.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

let dev: GatewayProcess;
let prod1: GatewayProcess;
let prod2: GatewayProcess;
let ca: Issued;
let api1: Issued;
let api2: Issued;
let backendCa: Issued;

const owned = (address: string, extra: Record<string, string> = {}) => ({ "certform.dev/stack": "payments", "certform.dev/address": address, ...extra });

function stackYaml(body: string): string {
  return `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["${dev.admin}"] } }
  prod: { gateway: { type: embedded, nodes: ["${prod1.admin}", "${prod2.admin}"] } }
${body}`;
}

async function plan(body: string, files: Record<string, string>, opts: { prune?: boolean; adopt?: boolean } = {}): Promise<Plan> {
  const dir = writeStackDir({ "stack.yaml": stackYaml(body), ...files });
  const result = await planPaths([join(dir, "stack.yaml")], { prune: opts.prune ?? true, adopt: opts.adopt ?? false });
  if ("failed" in result) throw Object.assign(new Error(JSON.stringify(result.failed)), { failed: result.failed });
  return result.plan;
}

async function planFailure(body: string, files: Record<string, string>, opts: { adopt?: boolean } = {}) {
  const dir = writeStackDir({ "stack.yaml": stackYaml(body), ...files });
  const result = await planPaths([join(dir, "stack.yaml")], { prune: true, adopt: opts.adopt ?? false });
  if (!("failed" in result)) throw new Error("expected the plan to fail");
  return result.failed;
}

const change = (p: Plan, address: string) => p.resource_changes.find((c) => c.address === address)!;

const files = () => ({ "api.pem": toPem([api1.certificate, ca.certificate]), "api.key": api1.keyPem, "backend-ca.pem": backendCa.pem });
const API = `certificates:
  api: { certificate: { file: api.pem }, key: { file: api.key } }
`;

beforeAll(async () => {
  ca = await makeCa();
  backendCa = await makeCa({ subject: "CN=Billing Backend CA" });
  [api1, api2] = await Promise.all([issue({ issuer: ca, hosts: ["api.example.com"] }), issue({ issuer: ca, hosts: ["api.example.com", "v2.example.com"] })]);
  [dev, prod1, prod2] = await Promise.all([startGateway({ environment: "dev", node: "dev-1" }), startGateway({ environment: "prod", node: "prod-1" }), startGateway({ environment: "prod", node: "prod-2" })]);
});
afterAll(async () => {
  await Promise.all([dev?.stop(), prod1?.stop(), prod2?.stop()]);
});

describe("plan against live embedded gateways", () => {
  it("plans creates on empty gateways for every node, with the certificate shown as a certificate", async () => {
    const p = await plan(API, files());
    expect(p.summary).toEqual({ create: 2, update: 0, replace: 0, delete: 0, "no-op": 0 });
    const c = change(p, "certificates.api[prod]");
    expect(c).toMatchObject({ action: "create", nodes: [prod1.admin, prod2.admin], before: null });
    expect(c.after?.certificate).toMatchObject({ fingerprint256: api1.certificate.fingerprint256, sans: ["DNS:api.example.com"] });
    expect(p.environments.map((e) => e.nodes.map((n) => n.revision))).toEqual([[0], [0, 0]]);
    const text = JSON.stringify(p);
    expect(text).not.toContain("PRIVATE KEY");
    expect(p.environments[1]!.operations[0]).toMatchObject({ op: "put", collection: "certificates", name: "api", keyRef: { address: "certificates.api[prod]", field: "key" } });
  });

  it("sees what an earlier apply left as no-op, and a drifted node as drift", async () => {
    // What apply would write: the plan's own operations, with the key apply reads from the stack.
    const p0 = await plan(API, files());
    for (const [gw, env] of [[dev, "dev"], [prod1, "prod"], [prod2, "prod"]] as const) {
      const body = p0.environments.find((e) => e.name === env)!.operations[0]!.body!;
      expect((await api(gw.admin, "PUT", "/v1/certificates/api", { ...body, key: api1.keyPem })).status).toBe(201);
    }
    const p = await plan(API, files());
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, "no-op": 2 });

    // One prod node loses its labels (someone edited it by hand): drift on that node only.
    expect((await api(prod2.admin, "PUT", "/v1/certificates/api", { hosts: ["api.example.com"], default: true, labels: owned("certificates.api[prod]") })).status).toBe(200);
    const drift = await plan(API, files());
    const c = change(drift, "certificates.api[prod]");
    expect(c.action).toBe("update");
    expect(c.nodes).toEqual([prod2.admin]);
    expect(c.drift).toEqual([expect.objectContaining({ node: prod2.admin })]);
  });

  it("replaces a certificate whose content changed (create before destroy), with the reason", async () => {
    const p = await plan(API, { ...files(), "api.pem": toPem([api2.certificate, ca.certificate]), "api.key": api2.keyPem });
    const c = change(p, "certificates.api[dev]");
    expect(c.action).toBe("replace");
    expect(c.reasons).toContain("certificate content changed");
    expect(c.before?.certificate?.fingerprint256).toBe(api1.certificate.fingerprint256);
    expect(c.after?.certificate?.fingerprint256).toBe(api2.certificate.fingerprint256);
    const ops = p.environments[0]!.operations.filter((o) => o.address === "certificates.api[dev]");
    expect(ops.map((o) => [o.op, o.name])).toEqual([["put", expect.stringMatching(/^api--[0-9a-f]{8}$/)], ["delete", "api"]]);
    expect(ops[0]!.step).toBeLessThan(ops[1]!.step);
  });

  it("deletes owned objects no longer declared (not with --no-prune), never another stack's, and refuses protected ones", async () => {
    await api(dev.admin, "PUT", "/v1/trusted/old-ca", { certificate: backendCa.pem, labels: owned("trustedCertificates.old-ca[dev]") });
    await api(dev.admin, "PUT", "/v1/trusted/theirs", { certificate: backendCa.pem, labels: { "certform.dev/stack": "other", "certform.dev/address": "trustedCertificates.theirs[dev]" } });
    await api(dev.admin, "PUT", "/v1/trusted/nobodys", { certificate: backendCa.pem });
    const p = await plan(API, files());
    expect(change(p, "trustedCertificates.old-ca[dev]")).toMatchObject({ action: "delete", reasons: ["no longer declared in the stack"] });
    expect(p.resource_changes.map((c) => c.address)).not.toContain("trustedCertificates.theirs[dev]");
    expect(JSON.stringify(p.environments[0]!.operations)).not.toMatch(/theirs|nobodys/);
    const kept = await plan(API, files(), { prune: false });
    expect(kept.resource_changes.map((c) => c.address)).not.toContain("trustedCertificates.old-ca[dev]");

    await api(dev.admin, "PUT", "/v1/trusted/old-ca", { certificate: backendCa.pem, labels: owned("trustedCertificates.old-ca[dev]", { "certform.dev/protect": "true" }) });
    const failed = await planFailure(API, files());
    expect(failed.problems).toEqual([expect.objectContaining({ code: "protected", address: "trustedCertificates.old-ca[dev]" })]);
    await api(dev.admin, "DELETE", "/v1/trusted/old-ca");
  });

  it("refuses to take over an object of the same name unless --adopt", async () => {
    const body = `${API}trustedCertificates:\n  nobodys: { environments: [dev], certificate: { file: backend-ca.pem } }\n`;
    const failed = await planFailure(body, files());
    expect(failed.problems).toEqual([expect.objectContaining({ code: "name-collision", address: "trustedCertificates.nobodys[dev]" })]);
    const adopted = await plan(body, files(), { adopt: true });
    expect(change(adopted, "trustedCertificates.nobodys[dev]")).toMatchObject({ action: "update", reasons: expect.arrayContaining([expect.stringContaining("adopted")]) });
    const theirs = await planFailure(`${API}trustedCertificates:\n  theirs: { environments: [dev], certificate: { file: backend-ca.pem } }\n`, files(), { adopt: true });
    expect(theirs.problems).toEqual([expect.objectContaining({ code: "owned-by-other-stack" })]);
  });

  it("updates endpoints and trust in place, and warns when an endpoint loses the trust it needs", async () => {
    await api(dev.admin, "PUT", "/v1/trusted/backend-ca", { certificate: backendCa.pem, labels: owned("trustedCertificates.backend-ca[dev]") });
    await api(dev.admin, "PUT", "/v1/endpoints/billing", { url: "https://billing.internal:9443", path: "/billing", labels: owned("endpoints.billing[dev]") });
    await api(dev.admin, "PUT", "/v1/trust/billing-backend", { alias: "backend-ca", endpoint: "billing", labels: owned("trustAssignments.billing-backend[dev]") });
    const body = `${API}trustedCertificates:\n  backend-ca: { environments: [dev], certificate: { file: backend-ca.pem } }\nendpoints:\n  billing: { environments: [dev], url: "https://billing.internal:9444" }\n`;
    const p = await plan(body, files());
    const e = change(p, "endpoints.billing[dev]");
    expect(e.action).toBe("update");
    expect(e.reasons).toContain('url: "https://billing.internal:9443" → "https://billing.internal:9444"');
    expect(change(p, "trustAssignments.billing-backend[dev]").action).toBe("delete");
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "trust-removed", address: "endpoints.billing[dev]", message: expect.stringContaining("will reject its backend") }));
  });
});
