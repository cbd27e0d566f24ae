import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";

let gw: GatewayProcess;
let ca: Issued;
let exact: Issued;
let wildcard: Issued;
let fallback: Issued;

const put = (name: string, cert: Issued, extra: Record<string, unknown> = {}) =>
  api(gw.admin, "PUT", `/v1/certificates/${name}`, { chain: toPem([cert.certificate, ca.certificate]), key: cert.keyPem, ...extra });

beforeAll(async () => {
  ca = await makeCa();
  [exact, wildcard, fallback] = await Promise.all([
    issue({ issuer: ca, hosts: ["api.example.com"] }),
    issue({ issuer: ca, hosts: ["*.example.com"] }),
    issue({ issuer: ca, hosts: ["fallback.example.net"] }),
  ]);
  gw = await startGateway();
});
afterAll(() => gw?.stop());

describe("the embedded gateway's TLS listener", () => {
  it("prints its ready line with the ports it picked", () => {
    expect(gw.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gw.listen).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses clients it has no certificate for while there is no default", async () => {
    expect((await put("exact", exact)).status).toBe(201);
    await expect(handshake(gw.listenPort, "unknown.example.org")).rejects.toThrow();
    await expect(handshake(gw.listenPort, undefined)).rejects.toThrow();
  });

  it("chooses by SNI: exact names, wildcards (one label), exact before wildcard, then the default", async () => {
    expect((await put("wildcard", wildcard)).status).toBe(201);
    expect((await put("fallback", fallback, { default: true })).status).toBe(201);
    expect((await handshake(gw.listenPort, "api.example.com")).fingerprint256).toBe(exact.certificate.fingerprint256);
    expect((await handshake(gw.listenPort, "API.Example.com")).fingerprint256).toBe(exact.certificate.fingerprint256);
    expect((await handshake(gw.listenPort, "www.example.com")).fingerprint256).toBe(wildcard.certificate.fingerprint256);
    expect((await handshake(gw.listenPort, "a.b.example.com")).fingerprint256).toBe(fallback.certificate.fingerprint256);
    expect((await handshake(gw.listenPort, "unknown.example.org")).fingerprint256).toBe(fallback.certificate.fingerprint256);
    expect((await handshake(gw.listenPort, undefined)).fingerprint256).toBe(fallback.certificate.fingerprint256);
    const status = await api(gw.admin, "GET", "/v1/status");
    expect(status.body.certificates.map((c: { name: string }) => c.name).sort()).toEqual(["exact", "fallback", "wildcard"]);
    expect(status.body.certificates.find((c: { name: string }) => c.name === "exact")).toMatchObject({ hosts: ["api.example.com"], fingerprint256: exact.certificate.fingerprint256 });
  });

  it("serves a replaced certificate at once, while a loop of handshakes throughout never fails", async () => {
    const next = await issue({ issuer: ca, hosts: ["api.example.com"] });
    const versions = [next, exact];
    let stop = false;
    let handshakes = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const loop = async () => {
      while (!stop) {
        try {
          seen.add((await handshake(gw.listenPort, "api.example.com")).fingerprint256);
          handshakes++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [loop(), loop(), loop()];
    for (let i = 0; i < 20; i++) {
      const cert = versions[i % 2]!;
      expect((await put("exact", cert)).status).toBe(200);
      expect((await handshake(gw.listenPort, "api.example.com")).fingerprint256).toBe(cert.certificate.fingerprint256);
    }
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(handshakes).toBeGreaterThan(20);
    expect(seen).toEqual(new Set([exact.certificate.fingerprint256, next.certificate.fingerprint256]));
  });

  it("restarts from its data and serves exactly what it served before", async () => {
    // `listen` is the data plane's URL: with port 0 it changes with every start; everything else must not.
    const { listen: listenBefore, ...before } = (await api(gw.admin, "GET", "/v1/status")).body;
    expect(listenBefore).toBe(gw.listen);
    await gw.stop();
    gw = await startGateway({ dataDir: gw.dataDir });
    const { listen: listenAfter, ...after } = (await api(gw.admin, "GET", "/v1/status")).body;
    expect(after).toEqual(before);
    expect(listenAfter).toBe(gw.listen);
    expect((await handshake(gw.listenPort, "api.example.com")).fingerprint256).toBe(exact.certificate.fingerprint256);
    expect((await handshake(gw.listenPort, undefined)).fingerprint256).toBe(fallback.certificate.fingerprint256);
  });
});

describe("the admin API over HTTPS", () => {
  it("serves the admin API with --admin-cert/--admin-key, verifiable with the admin CA", async () => {
    const { writeFiles, tempDir } = await import("./support/pki.js");
    const { request } = await import("node:https");
    const adminCert = await issue({ issuer: ca, hosts: ["127.0.0.1", "localhost"] });
    const dir = await tempDir("certform-admin-tls-");
    const files = await writeFiles(dir, { "admin.pem": adminCert.pem, "admin.key": adminCert.keyPem });
    const node = await startGateway({ extraArgs: ["--admin-cert", files["admin.pem"], "--admin-key", files["admin.key"]] });
    try {
      expect(node.admin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<{ code: number; body: any }>((resolve, reject) => {
        const req = request(`${node.admin}/v1/status`, { ca: ca.pem }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ code: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toMatchObject({ code: 200, body: { node: "node-1", environment: "test", revision: 0 } });
    } finally {
      await node.stop();
    }
  });
});
