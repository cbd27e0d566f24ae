import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeZip } from "../src/bundle/zip-write.js";
import { runImport } from "../src/cli/import-run.js";
import { planPaths } from "../src/plan/index.js";
import { quiet } from "./support/capture.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { makeCa, writeFiles, type Issued } from "./support/pki.js";

// Migrating to certform: a WSO2 apictl API export and an Apinizer certificate export, built here the way
// those products write them, imported and applied to a real gateway.

let gw: GatewayProcess;
let work: string;
let pizza: Issued;
let sandbox: Issued;
let partner: Issued;
let wso2Dir: string;
const wso2Files: Record<string, string> = {};

async function noChanges(dir: string): Promise<void> {
  const made = await planPaths([dir], { prune: true });
  if ("failed" in made) throw new Error(JSON.stringify(made.failed));
  expect(made.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "certform-bundle-foreign-"));
  [pizza, sandbox, partner] = await Promise.all([makeCa({ subject: "CN=Pizza Backend" }), makeCa({ subject: "CN=Pizza Sandbox" }), makeCa({ subject: "CN=Partner Client CA" })]);
  gw = await startGateway({ environment: "prod", node: "prod-1" });
  const root = "PizzaShackAPI-1.0.0";
  Object.assign(wso2Files, {
    [`${root}/api.yaml`]: `type: api
version: v4.2.0
data:
  name: PizzaShackAPI
  context: /pizzashack
  version: 1.0.0
  provider: admin
  securityScheme: [oauth2, mutualssl, oauth_basic_auth_api_key_mandatory]
  endpointConfig:
    endpoint_type: http
    production_endpoints:
      url: https://pizza.backend.internal:9443/api
    sandbox_endpoints:
      url: https://pizza-sandbox.backend.internal:9443/api
`,
    [`${root}/Definitions/swagger.yaml`]: "openapi: 3.0.1\ninfo: { title: PizzaShackAPI, version: 1.0.0 }\npaths: {}\n",
    [`${root}/Endpoint-certificates/endpoint_certificates.yaml`]: `type: endpoint_certificates
version: v4.2.0
data:
  -
    alias: pizza-backend
    endpoint: https://pizza.backend.internal:9443/api
    certificate: pizza-backend.crt
  -
    alias: pizza-sandbox
    endpoint: https://pizza-sandbox.backend.internal:9443/api
    certificate: pizza-sandbox.crt
`,
    [`${root}/Endpoint-certificates/pizza-backend.crt`]: pizza.pem,
    [`${root}/Endpoint-certificates/pizza-sandbox.crt`]: sandbox.pem,
    [`${root}/Client-certificates/client_certificates.yaml`]: `type: client_certificates
version: v4.2.0
data:
  -
    alias: partner-client
    certificate: partner-client.crt
    tierName: Unlimited
    apiIdentifier: { apiName: PizzaShackAPI, version: 1.0.0, providerName: admin }
`,
    [`${root}/Client-certificates/partner-client.crt`]: partner.pem,
  });
  wso2Dir = mkdtempSync(join(work, "apictl-"));
  await writeFiles(wso2Dir, wso2Files);
});
afterAll(async () => {
  await gw?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("import of foreign exports", () => {
  it("a WSO2 apictl API export (directory): aliases kept, endpoints and their trust linked, mutual TLS for client certificates", async () => {
    const out = join(work, "wso2-stack");
    const r = await quiet(() => runImport(wso2Dir, { env: "prod", out, node: [gw.admin], gatewayType: "embedded", apply: true, autoApprove: true, format: "text" }));
    expect(r.out).toContain("Imported a WSO2 apictl export (PizzaShackAPI) (WSO2 apictl export) as stack pizzashackapi, environment prod: 3 trusted certificates, 2 endpoints, 4 trust assignments.");
    expect(r.out).toContain("Apply complete!");
    expect(r.code).toBe(0);
    const yaml = readFileSync(join(out, "pizzashackapi.yaml"), "utf8");
    expect(yaml).toContain('    url: "https://pizza.backend.internal:9443/api"\n    path: /pizzashack/1.0.0\n');
    // The API's client certificate is required on its routes only: production and sandbox.
    expect(yaml).toMatch(/partner-client-pizzashackapi-clients:\n    certificate: partner-client\n    endpoint: pizzashackapi\n    scope: clients\n    required: false\n/);
    expect(yaml).toMatch(/partner-client-pizzashackapi-sandbox-clients:\n    certificate: partner-client\n    endpoint: pizzashackapi-sandbox\n    scope: clients\n    required: false\n/);

    const endpoints = (await api(gw.admin, "GET", "/v1/endpoints")).body;
    const list = (Array.isArray(endpoints) ? endpoints : endpoints.items) as { name: string; trustedAliases: string[] }[];
    expect(list.find((e) => e.name === "pizzashackapi")?.trustedAliases).toEqual(["pizza-backend"]);
    expect(list.find((e) => e.name === "pizzashackapi-sandbox")?.trustedAliases).toEqual(["pizza-sandbox"]);
    expect((await api(gw.admin, "GET", "/v1/trusted/partner-client")).body.fingerprint256).toBe(partner.certificate.fingerprint256);
    expect((await api(gw.admin, "GET", "/v1/trust/partner-client-pizzashackapi-clients")).body).toMatchObject({ alias: "partner-client", scope: "clients", endpoint: "pizzashackapi", required: false });
    await noChanges(out);
  });

  it("refuses a --node that is not an admin URL, and a WSO2 endpointConfig that is not JSON, naming the file; nothing written", async () => {
    const badNode = await quiet(() => runImport(wso2Dir, { env: "prod", out: join(work, "bad-node"), node: ["not a url"], gatewayType: "embedded", format: "text" }));
    expect(badNode.code).toBe(1);
    expect(badNode.out).toContain('--node "not a url" is not a http:// or https:// admin URL');
    const apiYaml = Object.keys(wso2Files).find((f) => /api\.ya?ml$/.test(f))!;
    const broken = { ...wso2Files, [apiYaml]: wso2Files[apiYaml]!.replace(/  endpointConfig:\n(    .*\n)+/, '  endpointConfig: "{not json"\n') };
    const zip = join(work, "broken-wso2.zip");
    writeFileSync(zip, await writeZip(Object.entries(broken).map(([n, t]) => [n, Buffer.from(t)])));
    const r = await quiet(() => runImport(zip, { env: "prod", out: join(work, "bad-wso2"), gatewayType: "embedded", format: "text" }));
    expect(r.code).toBe(1);
    expect(r.out).toContain("endpointConfig is not JSON");
    expect(existsSync(join(work, "bad-wso2"))).toBe(false);
  });

  it("the same export as a ZIP gives the same stack, told apart by content", async () => {
    const zip = join(work, "PizzaShackAPI_1.0.0.zip");
    writeFileSync(zip, await writeZip(Object.entries(wso2Files).map(([n, t]) => [n, Buffer.from(t)])));
    const out = join(work, "wso2-zip-stack");
    expect((await quiet(() => runImport(zip, { env: "prod", out, node: [gw.admin], gatewayType: "embedded", format: "text" }))).code).toBe(0);
    expect(readFileSync(join(out, "pizzashackapi.yaml"), "utf8")).toBe(readFileSync(join(work, "wso2-stack", "pizzashackapi.yaml"), "utf8"));
  });

  it("an Apinizer certificate export ({name}-{environment}.cer, DER): the chosen environment's certificates, trusted for the environment", async () => {
    const [backendTest, backendProd, partnerRoot, idp] = await Promise.all([makeCa({ subject: "CN=Backend Test" }), makeCa({ subject: "CN=Backend Prod" }), makeCa({ subject: "CN=Partner Root" }), makeCa({ subject: "CN=IdP" })]);
    const zip = join(work, "certificates-20250101.zip");
    writeFileSync(zip, await writeZip([["backend-ca-test.cer", backendTest.der], ["backend-ca-prod.cer", backendProd.der], ["partner_root-test.cer", partnerRoot.der], ["idp-API Manager.cer", idp.der]]));

    const ambiguous = await quiet(() => runImport(zip, { env: "staging", out: join(work, "apz-none"), gatewayType: "embedded", format: "text" }));
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.out).toContain('the input holds environments "API Manager", prod, test, none of them named staging');
    expect(ambiguous.out).toContain('hint: choose one with --map-environment FROM=staging, e.g. --map-environment "API Manager=staging"');

    const out = join(work, "apinizer-stack");
    const r = await quiet(() => runImport(zip, { env: "prod", mapEnvironment: ["test=prod"], out, node: [gw.admin], gatewayType: "embedded", apply: true, autoApprove: true, format: "text" }));
    expect(r.out).toContain("Imported an Apinizer certificate export, environment test (Apinizer certificate export) as stack apinizer-import, environment prod: 2 trusted certificates, 2 trust assignments.");
    expect(r.out).toContain("Apply complete!");
    expect((await api(gw.admin, "GET", "/v1/trusted/backend-ca")).body.fingerprint256).toBe(backendTest.certificate.fingerprint256);
    expect((await api(gw.admin, "GET", "/v1/trusted/partner_root")).body.fingerprint256).toBe(partnerRoot.certificate.fingerprint256);
    expect((await api(gw.admin, "GET", "/v1/trust/backend-ca")).body).toMatchObject({ alias: "backend-ca", scope: "environment" });
    expect(readFileSync(join(out, "trusted", "backend-ca.pem"), "utf8")).toBe(backendTest.pem);
    await noChanges(out);

    const mgmt = join(work, "apinizer-mgmt");
    expect((await quiet(() => runImport(zip, { env: "mgmt", mapEnvironment: ["API Manager=mgmt"], out: mgmt, gatewayType: "embedded", format: "text" }))).code).toBe(0);
    expect(readFileSync(join(mgmt, "apinizer-import.yaml"), "utf8")).toMatch(/idp:\n    certificate: idp\n    scope: management\n/);
  });
});
