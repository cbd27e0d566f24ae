import { createPublicKey } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, leaf, makeCa, toPem, type Issued } from "./support/pki.js";
import { getVia } from "./support/tls-clients.js";

let gw: GatewayProcess;
let ca: Issued;
let backend: Issued;
let backendServer: Server;
let backendUrl: string;

/** A GET through the gateway's listener, as a client of api.example.com. */
const viaGateway = (path: string) => getVia(gw.listenPort, "api.example.com", path);

beforeAll(async () => {
  ca = await makeCa();
  // The backend serves a self-signed certificate, as the WSO2 and Apinizer documents describe.
  backend = await leaf({ hosts: ["127.0.0.1", "billing.internal"] });
  backendServer = createServer({ cert: backend.pem, key: backend.keyPem }, (req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ backend: "billing", path: req.url }));
  });
  await new Promise<void>((r) => backendServer.listen(0, "127.0.0.1", r));
  backendUrl = `https://127.0.0.1:${(backendServer.address() as AddressInfo).port}`;
  gw = await startGateway();
  const api1 = await issue({ issuer: ca, hosts: ["api.example.com"] });
  expect((await api(gw.admin, "PUT", "/v1/certificates/api", { chain: toPem([api1.certificate, ca.certificate]), key: api1.keyPem })).status).toBe(201);
  expect((await api(gw.admin, "PUT", "/v1/endpoints/billing", { url: backendUrl, path: "/billing" })).status).toBe(201);
});
afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => backendServer.close(() => r()));
});

describe("trust assignments, seen working", () => {
  it("a self-signed backend: 502 before its trust is added, 200 right after, 502 again after removal", async () => {
    const before = await viaGateway("/billing/invoices?x=1");
    expect(before.status).toBe(502);
    expect(before.body.error).toMatchObject({ code: "backend-untrusted", endpoint: "billing" });
    expect(before.body.error.message).toMatch(/self.signed/i);

    expect((await api(gw.admin, "PUT", "/v1/trusted/billing-backend", { certificate: backend.pem })).status).toBe(201);
    expect((await api(gw.admin, "PUT", "/v1/trust/billing", { alias: "billing-backend", endpoint: "billing" })).status).toBe(201);
    const endpoint = await api(gw.admin, "GET", "/v1/endpoints/billing");
    expect(endpoint.body.trustedAliases).toEqual(["billing-backend"]);
    const after = await viaGateway("/billing/invoices?x=1");
    expect(after).toEqual({ status: 200, body: { backend: "billing", path: "/invoices?x=1" } });

    expect((await api(gw.admin, "DELETE", "/v1/trust/billing")).status).toBe(200);
    expect((await viaGateway("/billing/invoices")).status).toBe(502);
  });

  it("an environment-scope trust covers every endpoint", async () => {
    expect((await api(gw.admin, "PUT", "/v1/trust/everyone", { alias: "billing-backend", scope: "environment" })).status).toBe(201);
    expect((await viaGateway("/billing/")).status).toBe(200);
    expect((await api(gw.admin, "DELETE", "/v1/trust/everyone")).status).toBe(200);
    expect((await viaGateway("/billing/")).status).toBe(502);
  });

  it("probe: the management plane trusts only the management truststore, effective at once", async () => {
    const before = await api(gw.admin, "POST", "/v1/probe", { url: `${backendUrl}/.well-known/openid-configuration` });
    expect(before.status).toBe(200);
    expect(before.body.ok).toBe(false);
    expect(before.body.error.code).toBeTruthy();
    expect((await api(gw.admin, "PUT", "/v1/trust/idp", { alias: "billing-backend", scope: "management" })).status).toBe(201);
    const after = await api(gw.admin, "POST", "/v1/probe", { url: `${backendUrl}/.well-known/openid-configuration` });
    expect(after.body).toMatchObject({ ok: true, status: 200 });
  });

  it("publishes a JWK derived from a certificate, matching its public key", async () => {
    expect((await api(gw.admin, "PUT", "/v1/jwks/signing", { source: { trusted: "billing-backend" }, use: "sig" })).status).toBe(201);
    const jwks = await viaGateway("/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    const [key] = jwks.body.keys;
    expect(createPublicKey({ key, format: "jwk" }).equals(backend.certificate.publicKey)).toBe(true);
    expect(key).toMatchObject({ use: "sig", kid: expect.any(String), x5c: [backend.certificate.raw.toString("base64")] });
    expect(key.d).toBeUndefined();
  });
});
