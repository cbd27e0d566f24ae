import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, tempDir, toPem, writeFiles } from "./support/pki.js";
import { certificateRequested, getVia, type ClientIdentity } from "./support/tls-clients.js";

// Migrating a WSO2 API that requires client certificates (mutual SSL): the certificates stay scoped to that
// API. A WSO2 apictl API export, written here the way apictl writes it, imported by the real CLI, validated,
// applied to a real gateway process and tried with real TLS clients.

let gw: GatewayProcess;
let backend: Server;
let work: string;
let trusted: ClientIdentity;
let untrusted: ClientIdentity;
let siteFiles: Record<string, string>;

beforeAll(async () => {
  const [siteCa, partnerCa, stranger] = await Promise.all([makeCa({ subject: "CN=Site CA" }), makeCa({ subject: "CN=Partner Client CA" }), makeCa({ subject: "CN=Stranger" })]);
  const [site, good, bad] = await Promise.all([issue({ issuer: siteCa, hosts: ["api.example.com", "other.example.com"] }), issue({ issuer: partnerCa, subject: "CN=partner client" }), issue({ issuer: stranger, subject: "CN=partner client" })]);
  trusted = { cert: good.pem, key: good.keyPem };
  untrusted = { cert: bad.pem, key: bad.keyPem };
  backend = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gw = await startGateway({ environment: "prod", node: "prod-1" });
  work = await tempDir("certform-wso2-mtls-");
  const root = "PizzaShackAPI-1.0.0";
  await writeFiles(join(work, "export"), {
    [`${root}/api.yaml`]: `type: api
version: v4.2.0
data:
  name: PizzaShackAPI
  context: /pizzashack
  version: 1.0.0
  provider: admin
  securityScheme: [oauth2, mutualssl, mutualssl_mandatory]
  endpointConfig:
    endpoint_type: http
    production_endpoints:
      url: ${backendUrl}/api
`,
    [`${root}/Client-certificates/client_certificates.yaml`]: `type: client_certificates
version: v4.2.0
data:
  -
    alias: partner-client
    certificate: partner-client.crt
    tierName: Unlimited
    apiIdentifier: { apiName: PizzaShackAPI, version: 1.0.0, providerName: admin }
`,
    [`${root}/Client-certificates/partner-client.crt`]: partnerCa.pem,
  });
  // What the WSO2 export does not hold: the gateway's server certificate, another API's route, a JWK.
  siteFiles = {
    "site.pem": toPem([site.certificate, siteCa.certificate]),
    "site.key": site.keyPem,
    "site.yaml": `apiVersion: certform/v1
kind: Stack
name: pizzashackapi
certificates:
  site: { certificate: { file: site.pem }, key: { file: site.key } }
endpoints:
  menu: { url: "${backendUrl}/menu" }
jwks:
  signing: { certificate: site }
`,
  };
});
afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
});

describe("a WSO2 API's client certificates stay scoped to that API", () => {
  it("import → scope: clients with the API's endpoint; validate, apply; only the API's routes require the certificate", async () => {
    const out = join(work, "stack");
    const imported = await certform(["import", join(work, "export"), "--env", "prod", "--out", out, "--node", gw.admin]);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("mutual TLS for API PizzaShackAPI's routes only");
    const yaml = readFileSync(join(out, "pizzashackapi.yaml"), "utf8");
    expect(yaml).toMatch(/\n {2}partner-client-pizzashackapi-clients:\n {4}certificate: partner-client\n {4}endpoint: pizzashackapi\n {4}scope: clients\n/);
    expect(yaml).toContain("    path: /pizzashack/1.0.0\n");

    await writeFiles(out, siteFiles);
    const validated = await certform(["validate", out]);
    expect(validated.stdout + validated.stderr).not.toMatch(/error\[/);
    expect(validated.code).toBe(0);
    const applied = await certform(["apply", "--auto-approve", out]);
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);

    const port = gw.listenPort;
    const api = "/pizzashack/1.0.0/menu";
    const none = await getVia(port, "api.example.com", api);
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: "client-certificate-required", endpoint: "pizzashackapi" });
    const bad = await getVia(port, "api.example.com", api, untrusted);
    expect(bad.status).toBe(403);
    expect(bad.body.error).toMatchObject({ code: "client-certificate-untrusted", endpoint: "pizzashackapi" });
    expect(await getVia(port, "api.example.com", api, trusted)).toEqual({ status: 200, body: { path: "/api/menu" } });

    // Another route of the same host, and its JWKS, need no client certificate.
    expect(await getVia(port, "api.example.com", "/menu/today")).toEqual({ status: 200, body: { path: "/menu/today" } });
    expect((await getVia(port, "api.example.com", "/.well-known/jwks.json")).status).toBe(200);
    expect((await getVia(port, "other.example.com", "/menu/today")).status).toBe(200);
    // Without hosts:, every host asks, as WSO2's listener does; the API's routes require it on each.
    expect(await certificateRequested(port, "other.example.com")).toBe(true);
    expect((await getVia(port, "other.example.com", api)).status).toBe(403);
    expect((await getVia(port, "other.example.com", api, trusted)).status).toBe(200);

    const again = await certform(["plan", "--detailed-exitcode", out]);
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });
});
