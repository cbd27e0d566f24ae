import { createHash, randomBytes } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, leaf, makeCa, toPem, type Issued } from "../../../test/support/pki.js";
import type { StoredEndpoint, StoredTrust, StoredTrusted } from "../state.js";
import { get, startPlane, state, storedCert, storedEndpoint, storedTrust, storedTrusted, type Running } from "../../../test/support/data-plane.js";

let gw: Running;
let siteCert: Issued;
let selfSigned: Issued;
let backendCa: Issued;
let caIssued: Issued;
let dnsOnly: Issued;
const servers: HttpServer[] = [];
const url: Record<string, string> = {};
let revision = 1;

function echo(req: IncomingMessage, res: ServerResponse): void {
  const hash = createHash("sha256");
  let length = 0;
  req.on("data", (d: Buffer) => {
    hash.update(d);
    length += d.length;
  });
  req.on("end", () => {
    res.statusCode = req.headers["x-want-status"] ? Number(req.headers["x-want-status"]) : 200;
    res.setHeader("content-type", "application/json");
    res.setHeader("set-cookie", ["a=1", "b=2"]);
    res.setHeader("x-backend", "yes");
    res.end(JSON.stringify({ path: req.url, method: req.method, headers: req.headers, length, sha256: hash.digest("hex") }));
  });
}

async function serve(server: HttpServer, scheme: "http" | "https", host = "127.0.0.1"): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `${scheme}://${host}:${(server.address() as AddressInfo).port}`;
}

interface Setup {
  endpoints?: StoredEndpoint[];
  trusted?: StoredTrusted[];
  trust?: StoredTrust[];
}

function apply(setup: Setup = {}): void {
  gw.plane.apply(state({ revision: ++revision, certificates: [storedCert("site", siteCert, { hosts: ["api.example.com"] })], ...setup }));
}

beforeAll(async () => {
  const siteCa = await makeCa();
  backendCa = await makeCa();
  [siteCert, selfSigned, caIssued, dnsOnly] = await Promise.all([
    issue({ issuer: siteCa, hosts: ["api.example.com"] }),
    leaf({ hosts: ["127.0.0.1", "billing.internal"] }),
    issue({ issuer: backendCa, hosts: ["127.0.0.1"] }),
    issue({ issuer: backendCa, hosts: ["backend.internal"] }),
  ]);
  url.selfSigned = await serve(createHttpsServer({ cert: selfSigned.pem, key: selfSigned.keyPem }, echo), "https");
  url.caIssued = await serve(createHttpsServer({ cert: toPem([caIssued.certificate, backendCa.certificate]), key: caIssued.keyPem }, echo), "https");
  url.dnsOnly = await serve(createHttpsServer({ cert: dnsOnly.pem, key: dnsOnly.keyPem }, echo), "https");
  url.plain = await serve(createHttpServer(echo), "http");
  url.silent = await serve(createHttpServer(() => {}), "http");
  const closed = createHttpServer();
  url.closed = await serve(closed, "http");
  await new Promise<void>((r) => closed.close(() => r()));
  servers.pop();
  gw = await startPlane(state(), { backendTimeoutMs: 800 });
});
afterAll(async () => {
  await gw?.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const billing = () => storedEndpoint("billing", url.selfSigned!, "/billing");

describe("endpoints proxied to https backends, trusting only what is assigned", () => {
  it("a self-signed backend: 502 before a trust binding exists, 200 right after, 502 again after removal", async () => {
    apply({ endpoints: [billing()] });
    const before = await get(gw.port, "/billing/invoices?x=1");
    expect(before.status).toBe(502);
    expect(before.headers["content-type"]).toBe("application/json");
    expect(before.body.error).toMatchObject({ code: "backend-untrusted", endpoint: "billing", tlsCode: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect(before.body.error.message).toMatch(/self.signed/i);

    apply({ endpoints: [billing()], trusted: [storedTrusted("billing-backend", selfSigned)], trust: [storedTrust("billing", "billing-backend", { endpoint: "billing" })] });
    const after = await get(gw.port, "/billing/invoices?x=1");
    expect(after.status).toBe(200);
    expect(after.body.path).toBe("/invoices?x=1");

    apply({ endpoints: [billing()], trusted: [storedTrusted("billing-backend", selfSigned)] });
    expect((await get(gw.port, "/billing/invoices")).body.error).toMatchObject({ code: "backend-untrusted" });
  });

  it("the same with the environment truststore, which covers every endpoint", async () => {
    const other = storedEndpoint("other", url.selfSigned!, "/other");
    apply({ endpoints: [billing(), other], trusted: [storedTrusted("billing-backend", selfSigned)], trust: [storedTrust("everyone", "billing-backend", { scope: "environment" })] });
    expect((await get(gw.port, "/billing/")).status).toBe(200);
    expect((await get(gw.port, "/other/")).status).toBe(200);
    apply({ endpoints: [billing(), other], trusted: [storedTrusted("billing-backend", selfSigned)] });
    expect((await get(gw.port, "/billing/")).status).toBe(502);
  });

  it("ignores trust bound to another endpoint, or to the management and client scopes", async () => {
    const other = storedEndpoint("other", url.plain!, "/other");
    apply({
      endpoints: [billing(), other],
      trusted: [storedTrusted("billing-backend", selfSigned)],
      trust: [storedTrust("wrong", "billing-backend", { endpoint: "other" }), storedTrust("mgmt", "billing-backend", { scope: "management" })],
    });
    expect((await get(gw.port, "/billing/")).body.error).toMatchObject({ code: "backend-untrusted" });
  });

  it("verifies through a trusted CA, and checks the backend URL's host against the certificate's SANs", async () => {
    const trusted = [storedTrusted("backend-ca", backendCa)];
    const endpoints = [storedEndpoint("ip", url.caIssued!, "/ip"), storedEndpoint("dns", url.dnsOnly!, "/dns")];
    apply({ endpoints, trusted, trust: [storedTrust("ca", "backend-ca", { scope: "environment" })] });
    expect((await get(gw.port, "/ip/x")).status).toBe(200);
    const mismatch = await get(gw.port, "/dns/x");
    expect(mismatch.status).toBe(502);
    expect(mismatch.body.error).toMatchObject({ code: "backend-untrusted", endpoint: "dns", tlsCode: "ERR_TLS_CERT_ALTNAME_INVALID" });
    expect(mismatch.body.error.message).toContain("127.0.0.1");
  });
});

describe("routing and forwarding", () => {
  it("strips the route's prefix, appends the rest to the endpoint URL's path, and picks the longest prefix", async () => {
    apply({ endpoints: [storedEndpoint("svc", `${url.plain}/base`, "/svc"), storedEndpoint("deep", `${url.plain}/deep/`, "/svc/deep"), storedEndpoint("root", url.plain!, "/")] });
    expect((await get(gw.port, "/svc/a/b?q=1")).body.path).toBe("/base/a/b?q=1");
    expect((await get(gw.port, "/svc")).body.path).toBe("/base");
    expect((await get(gw.port, "/svc/deep/x")).body.path).toBe("/deep/x");
    expect((await get(gw.port, "/svcx")).body.path).toBe("/svcx");
  });

  it("answers 404 no-route when no prefix matches, and 400 for dot segments", async () => {
    apply({ endpoints: [storedEndpoint("svc", url.plain!, "/svc")] });
    const none = await get(gw.port, "/nothing/here");
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: "no-route", path: "/nothing/here" });
    expect((await get(gw.port, "/svc/%2e%2e/x")).body.error).toMatchObject({ code: "bad-path" });
  });

  it("streams bodies both ways, passes status and end-to-end headers, drops hop-by-hop ones, adds X-Forwarded-*", async () => {
    apply({ endpoints: [storedEndpoint("svc", url.plain!, "/svc")] });
    const body = randomBytes(3 * 1024 * 1024);
    const res = await get(gw.port, "/svc/upload", {
      method: "POST",
      body,
      headers: { "x-want-status": "201", connection: "x-secret-hop, keep-alive", "x-secret-hop": "1", "keep-alive": "timeout=5", "x-end-to-end": "kept", "x-forwarded-for": "203.0.113.9" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ method: "POST", length: body.length, sha256: createHash("sha256").update(body).digest("hex") });
    const seen = res.body.headers;
    expect(seen["x-end-to-end"]).toBe("kept");
    expect(seen["x-secret-hop"]).toBeUndefined();
    expect(seen["keep-alive"]).toBeUndefined();
    expect(seen.host).toBe(new URL(url.plain!).host);
    expect(seen["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("https");
    expect(seen["x-forwarded-host"]).toBe(`127.0.0.1:${gw.port}`);
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(res.headers["x-backend"]).toBe("yes");
  });

  it("answers 502 backend-unreachable for a closed port and 504 for a silent backend", async () => {
    apply({ endpoints: [storedEndpoint("gone", url.closed!, "/gone"), storedEndpoint("silent", url.silent!, "/silent")] });
    const gone = await get(gw.port, "/gone/");
    expect(gone.status).toBe(502);
    expect(gone.body.error).toMatchObject({ code: "backend-unreachable", endpoint: "gone", errorCode: "ECONNREFUSED" });
    const silent = await get(gw.port, "/silent/");
    expect(silent.status).toBe(504);
    expect(silent.body.error).toMatchObject({ code: "backend-timeout", endpoint: "silent" });
  });
});
