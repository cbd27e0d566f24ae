import { createServer, type Server } from "node:http";
import { Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, makeIntermediate, toPem, type Issued } from "../../../test/support/pki.js";
import type { StoredTrust } from "../state.js";
import { buildSnapshot } from "./snapshot.js";
import { get, startPlane, state, storedCert, storedEndpoint, storedTrust, storedTrusted, type Running } from "../../../test/support/data-plane.js";

let gw: Running;
let clientRoot: Issued;
let otherRoot: Issued;
let site: Issued;
let fallback: Issued;
let trusted: { cert: string; key: string };
let untrusted: { cert: string; key: string };
let revision = 1;

let backend: Server;
let backendUrl: string;

const stateWith = (trust: StoredTrust[]) =>
  state({
    revision: ++revision,
    certificates: [storedCert("site", site, { hosts: ["api.example.com", "open.example.com"] }), storedCert("fallback", fallback, { default: true })],
    trusted: [storedTrusted("client-root", clientRoot), storedTrusted("other-root", otherRoot)],
    endpoints: [storedEndpoint("billing", `${backendUrl}/b`), storedEndpoint("catalog", `${backendUrl}/c`)],
    trust,
  });

function apply(trust: StoredTrust[]): void {
  gw.plane.apply(stateWith(trust));
}

const JWKS = "/.well-known/jwks.json";
const api = (opts: Parameters<typeof get>[2] = {}) => get(gw.port, JWKS, { servername: "api.example.com", ...opts });

beforeAll(async () => {
  const siteCa = await makeCa();
  clientRoot = await makeCa();
  otherRoot = await makeCa();
  const clientIntermediate = await makeIntermediate(clientRoot);
  const [good, bad] = await Promise.all([issue({ issuer: clientIntermediate, hosts: ["client.partner.example"] }), issue({ issuer: otherRoot, hosts: ["client.partner.example"] })]);
  [site, fallback] = await Promise.all([issue({ issuer: siteCa, hosts: ["api.example.com", "open.example.com"] }), issue({ issuer: siteCa, hosts: ["fallback.example.com"] })]);
  // The client sends its intermediate; the gateway trusts only the root.
  trusted = { cert: toPem([good.certificate, clientIntermediate.certificate]), key: good.keyPem };
  untrusted = { cert: bad.pem, key: bad.keyPem };
  backend = createServer((req, res) => res.end(`backend ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gw = await startPlane(state());
});
afterAll(async () => {
  await gw?.close();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
});

/** The server's view of the next connection. */
function nextServerSocket(): Promise<TLSSocket> {
  return new Promise((resolve) => gw.plane.server.once("secureConnection", resolve));
}

/** Whether the client of the next connection presented a certificate, read as its handshake completes. */
function nextPresented(): Promise<boolean> {
  return new Promise((resolve) => gw.plane.server.once("secureConnection", (s: TLSSocket) => resolve(s.getPeerX509Certificate() !== undefined)));
}

describe("mutual TLS for hosts with client trust bindings", () => {
  it("asks no client for a certificate, and resumes sessions, while no binding exists", async () => {
    apply([]);
    const seen = nextPresented();
    expect((await api(trusted)).status).toBe(200);
    expect(await seen).toBe(false);

    const session = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: gw.port, servername: "api.example.com", rejectUnauthorized: false });
      s.once("session", (x) => {
        resolve(x);
        s.end();
      });
      s.on("data", () => {});
      s.on("error", reject);
    });
    const resumed = nextServerSocket();
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: gw.port, servername: "api.example.com", rejectUnauthorized: false, session }, () => {
        s.end();
        resolve();
      });
      s.on("error", reject);
    });
    expect((await resumed).isSessionReused()).toBe(true);
  });

  it("required: refuses no certificate and an untrusted one with 403, accepts one chained to the alias", async () => {
    apply([storedTrust("partners", "client-root", { scope: "clients", hosts: ["api.example.com"] })]);
    const none = await api();
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: "client-certificate-required", host: "api.example.com" });
    const bad = await api(untrusted);
    expect(bad.status).toBe(403);
    expect(bad.body.error.code).toBe("client-certificate-untrusted");
    expect(bad.body.error.message).not.toMatch(/client-root|other-root/);
    const good = await api(trusted);
    expect(good.status).toBe(200);
  });

  it("leaves hosts the binding does not list alone", async () => {
    expect((await get(gw.port, JWKS, { servername: "open.example.com" })).status).toBe(200);
    expect((await get(gw.port, JWKS, { servername: "open.example.com", ...untrusted })).status).toBe(200);
  });

  it("answers 421 to a request for a protected host over a connection made for another name", async () => {
    const crossed = await get(gw.port, JWKS, { servername: "open.example.com", headers: { host: "api.example.com" } });
    expect(crossed.status).toBe(421);
    expect(crossed.body.error).toMatchObject({ code: "misdirected-request", host: "api.example.com" });
    const noSni = await get(gw.port, JWKS, { servername: "", headers: { host: "API.example.com:443" } });
    expect(noSni.status).toBe(421);
    // Same requirements on both sides: no objection.
    expect((await get(gw.port, JWKS, { servername: "open.example.com", headers: { host: "other.example.com" } })).status).toBe(200);
  });

  it("required: false lets clients without a certificate through, but still refuses an untrusted one", async () => {
    apply([storedTrust("partners", "client-root", { scope: "clients", hosts: ["api.example.com"], required: false })]);
    expect((await api()).status).toBe(200);
    expect((await api(trusted)).status).toBe(200);
    const bad = await api(untrusted);
    expect(bad.status).toBe(403);
    expect(bad.body.error.code).toBe("client-certificate-untrusted");
  });

  it("without hosts, covers every host and clients without SNI", async () => {
    apply([storedTrust("everyone", "client-root", { scope: "clients" })]);
    expect((await get(gw.port, JWKS, { servername: "open.example.com" })).status).toBe(403);
    expect((await get(gw.port, JWKS, { servername: "" })).status).toBe(403);
    expect((await get(gw.port, JWKS, { servername: "", ...trusted })).status).toBe(200);
    expect((await get(gw.port, JWKS, { servername: "unknown.example.org", ...trusted })).status).toBe(200);
  });

  it("re-judges an established connection when the host's trust changes, and resumes no session while enforcing", async () => {
    apply([storedTrust("partners", "client-root", { scope: "clients", hosts: ["api.example.com"] })]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ...trusted });
    try {
      const reused: (boolean | null)[] = [];
      const track = (s: TLSSocket) => reused.push(s.isSessionReused());
      gw.plane.server.on("secureConnection", track);
      expect((await api({ agent })).status).toBe(200);
      apply([storedTrust("partners", "other-root", { scope: "clients", hosts: ["api.example.com"] })]);
      const after = await api({ agent });
      expect(after.status).toBe(403);
      expect(after.body.error.code).toBe("client-certificate-untrusted");
      expect(reused.length).toBe(1);

      apply([storedTrust("partners", "client-root", { scope: "clients", hosts: ["api.example.com"] })]);
      expect((await api({ agent })).status).toBe(200);
      agent.destroy();
      // A new connection from the same agent offers its cached session; it must not be resumed.
      const fresh = new Agent({ keepAlive: false, ...trusted });
      expect((await api({ agent: fresh })).status).toBe(200);
      expect((await api({ agent: fresh })).status).toBe(200);
      gw.plane.server.off("secureConnection", track);
      expect(reused).toEqual([false, false, false]);
    } finally {
      agent.destroy();
    }
  });
});

describe("mutual TLS for one endpoint's routes (scope clients with an endpoint)", () => {
  const billing = (extra: Partial<StoredTrust> = {}) => storedTrust("partners", "client-root", { scope: "clients", endpoint: "billing", hosts: ["api.example.com"], ...extra });

  it("asks on the listed hosts only, and judges the endpoint's routes only", async () => {
    apply([billing()]);
    const open = nextPresented();
    expect((await get(gw.port, "/catalog/x", { servername: "open.example.com", ...trusted })).status).toBe(200);
    expect(await open).toBe(false);
    const noSni = nextPresented();
    expect((await get(gw.port, JWKS, { servername: "", ...trusted })).status).toBe(200);
    expect(await noSni).toBe(false);
    const asked = nextPresented();
    expect((await get(gw.port, "/catalog/x", { servername: "api.example.com", ...untrusted })).status).toBe(200);
    expect(await asked).toBe(true);

    const none = await get(gw.port, "/billing/x");
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: "client-certificate-required", endpoint: "billing", host: "api.example.com" });
    expect((await get(gw.port, "/billing/x", untrusted)).body.error.code).toBe("client-certificate-untrusted");
    expect(await get(gw.port, "/billing/x", trusted)).toMatchObject({ status: 200, text: "backend /b/x" });
    const elsewhere = await get(gw.port, "/billing/x", { servername: "open.example.com", ...trusted });
    expect(elsewhere.body.error).toMatchObject({ code: "client-certificate-required", endpoint: "billing" });
    expect(elsewhere.body.error.message).toContain('connect with SNI "api.example.com"');
  });

  it("without hosts, every host asks, clients without SNI too", async () => {
    apply([billing({ hosts: undefined })]);
    for (const servername of ["open.example.com", ""]) {
      expect((await get(gw.port, "/billing/x", { servername })).status).toBe(403);
      expect((await get(gw.port, "/billing/x", { servername, ...trusted })).status).toBe(200);
      expect((await get(gw.port, "/catalog/x", { servername })).status).toBe(200);
    }
  });

  it("a host-wide binding and an endpoint's binding both apply to the endpoint's routes", async () => {
    apply([storedTrust("host", "client-root", { scope: "clients", hosts: ["api.example.com"] }), billing({ alias: "other-root", name: "partners" })]);
    expect((await get(gw.port, "/catalog/x", trusted)).status).toBe(200);
    // Chained to the host's CA but not to the endpoint's, then the other way round.
    expect((await get(gw.port, "/billing/x", trusted)).body.error).toMatchObject({ code: "client-certificate-untrusted", endpoint: "billing" });
    expect((await get(gw.port, "/billing/x", untrusted)).body.error).toMatchObject({ code: "client-certificate-untrusted", host: "api.example.com" });
    expect((await get(gw.port, "/billing/x", untrusted)).body.error.endpoint).toBeUndefined();
  });

  it("re-judges an established connection when the endpoint's trust changes", async () => {
    apply([billing()]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ...trusted });
    try {
      expect((await get(gw.port, "/billing/x", { agent })).status).toBe(200);
      apply([billing({ alias: "other-root" })]);
      expect((await get(gw.port, "/billing/x", { agent })).body.error.code).toBe("client-certificate-untrusted");
    } finally {
      agent.destroy();
    }
  });

  it("is the endpoint's clients' trust, never its backend's", () => {
    const snap = buildSnapshot(stateWith([billing()]), undefined, () => {});
    expect(snap.endpointTrust.get("billing")?.aliases).toEqual([]);
    expect(snap.policies.forEndpoint("billing")?.trust.aliases).toEqual(["client-root"]);
  });
});
