import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, makeIntermediate, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";
import { certificateRequested, getVia, type ClientIdentity } from "./support/tls-clients.js";

// Mutual TLS for one endpoint (trustAssignments with scope: clients and endpoint:), seen from outside: a
// stack applied by the real CLI to a real gateway process, requests from real TLS clients.

let gw: GatewayProcess;
let backend: Server;
let backendUrl: string;
let dir: string;
let trusted: ClientIdentity;
let untrusted: ClientIdentity;

function writeStack(assignment: string): void {
  writeFileSync(
    join(dir, "partners.yaml"),
    `apiVersion: certform/v1
kind: Stack
name: partners
environments:
  prod: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }
certificates:
  api: { certificate: { file: api.pem }, key: { file: api.key } }
  other: { certificate: { file: other.pem }, key: { file: other.key } }
trustedCertificates:
  partner-ca: { certificate: { file: partner-ca.pem } }
endpoints:
  billing: { url: "${backendUrl}/billing-backend" }
  catalog: { url: "${backendUrl}/catalog-backend" }
trustAssignments:
  partners: ${assignment}
jwks:
  signing: { certificate: api }
`,
  );
}

async function apply(): Promise<void> {
  const r = await certform(["apply", "--auto-approve", "--no-color", dir]);
  expect(r.stdout + r.stderr).toContain("Apply complete!");
  expect(r.code).toBe(0);
  const again = await certform(["plan", "--detailed-exitcode", dir]);
  expect(again.stdout).toContain("No changes.");
  expect(again.code).toBe(0);
}

const port = () => gw.listenPort;

beforeAll(async () => {
  const siteCa = await makeCa({ subject: "CN=Site CA" });
  const partnerRoot = await makeCa({ subject: "CN=Partner Root" });
  const stranger = await makeCa({ subject: "CN=Stranger Root" });
  const partnerIssuing = await makeIntermediate(partnerRoot, { subject: "CN=Partner Issuing CA" });
  const [api, other, good, bad] = await Promise.all([
    issue({ issuer: siteCa, hosts: ["api.example.com"] }),
    issue({ issuer: siteCa, hosts: ["other.example.com"] }),
    issue({ issuer: partnerIssuing, subject: "CN=client.partner.example" }),
    issue({ issuer: stranger, subject: "CN=client.partner.example" }),
  ]);
  // The partner's client sends its issuing CA along; the stack trusts the partner's root only.
  trusted = { cert: toPem([good.certificate, partnerIssuing.certificate]), key: good.keyPem };
  untrusted = { cert: bad.pem, key: bad.keyPem };
  const pems = (c: Issued) => toPem([c.certificate, siteCa.certificate]);
  dir = writeStackDir({ "api.pem": pems(api), "api.key": api.keyPem, "other.pem": pems(other), "other.key": other.keyPem, "partner-ca.pem": partnerRoot.pem });
  backend = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gw = await startGateway({ environment: "prod", node: "prod-1" });
});
afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
});

describe("mutual TLS for one endpoint (scope: clients, endpoint:)", () => {
  it("with hosts: that host asks, the endpoint's routes require a trusted client certificate, everything else stays open", async () => {
    writeStack(`{ certificate: partner-ca, scope: clients, endpoint: billing, hosts: ["api.example.com"] }`);
    await apply();

    const none = await getVia(port(), "api.example.com", "/billing/invoices");
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: "client-certificate-required", endpoint: "billing" });
    const bad = await getVia(port(), "api.example.com", "/billing/invoices", untrusted);
    expect(bad.status).toBe(403);
    expect(bad.body.error).toMatchObject({ code: "client-certificate-untrusted", endpoint: "billing" });
    expect(await getVia(port(), "api.example.com", "/billing/invoices?page=2", trusted)).toEqual({ status: 200, body: { path: "/billing-backend/invoices?page=2" } });

    // The host's other routes and its JWKS need no certificate, and an untrusted one does not matter there.
    expect(await getVia(port(), "api.example.com", "/catalog/items")).toEqual({ status: 200, body: { path: "/catalog-backend/items" } });
    expect((await getVia(port(), "api.example.com", "/catalog/items", untrusted)).status).toBe(200);
    const jwks = await getVia(port(), "api.example.com", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);

    // Only the listed host asks for a certificate; another host never does, so the endpoint cannot be
    // reached through it, even by a client that holds a trusted certificate.
    for (const version of ["tls1_2", "tls1_3"] as const) {
      expect(await certificateRequested(port(), "api.example.com", version)).toBe(true);
      expect(await certificateRequested(port(), "other.example.com", version)).toBe(false);
    }
    expect((await getVia(port(), "other.example.com", "/catalog/items")).status).toBe(200);
    expect((await getVia(port(), "other.example.com", "/.well-known/jwks.json")).status).toBe(200);
    const elsewhere = await getVia(port(), "other.example.com", "/billing/invoices", trusted);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe("client-certificate-required");
    expect(elsewhere.body.error.message).toContain("api.example.com");
  });

  it("without hosts: every host asks, and the endpoint's routes require the certificate on every host", async () => {
    writeStack(`{ certificate: partner-ca, scope: clients, endpoint: billing }`);
    await apply();
    for (const host of ["api.example.com", "other.example.com"]) {
      expect(await certificateRequested(port(), host)).toBe(true);
      expect((await getVia(port(), host, "/billing/invoices")).status).toBe(403);
      expect((await getVia(port(), host, "/billing/invoices", untrusted)).status).toBe(403);
      expect((await getVia(port(), host, "/billing/invoices", trusted)).status).toBe(200);
      expect((await getVia(port(), host, "/catalog/items")).status).toBe(200);
      expect((await getVia(port(), host, "/.well-known/jwks.json")).status).toBe(200);
    }
  });

  it("required: false lets clients without a certificate reach the endpoint, but still refuses an untrusted one", async () => {
    writeStack(`{ certificate: partner-ca, scope: clients, endpoint: billing, hosts: ["api.example.com"], required: false }`);
    await apply();
    expect((await getVia(port(), "api.example.com", "/billing/invoices")).status).toBe(200);
    expect((await getVia(port(), "api.example.com", "/billing/invoices", trusted)).status).toBe(200);
    const bad = await getVia(port(), "api.example.com", "/billing/invoices", untrusted);
    expect(bad.status).toBe(403);
    expect(bad.body.error.code).toBe("client-certificate-untrusted");
  });
});
