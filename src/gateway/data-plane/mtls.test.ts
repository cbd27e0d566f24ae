import { Agent } from "node:https";
import { connect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, makeIntermediate, toPem, type Issued } from "../../../test/support/pki.js";
import type { StoredTrust } from "../state.js";
import { get, startPlane, state, storedCert, storedTrust, storedTrusted, type Running } from "./testing.js";

let gw: Running;
let clientRoot: Issued;
let otherRoot: Issued;
let site: Issued;
let fallback: Issued;
let trusted: { cert: string; key: string };
let untrusted: { cert: string; key: string };
let revision = 1;

function apply(trust: StoredTrust[]): void {
  gw.plane.apply(state({
    revision: ++revision,
    certificates: [storedCert("site", site, { hosts: ["api.example.com", "open.example.com"] }), storedCert("fallback", fallback, { default: true })],
    trusted: [storedTrusted("client-root", clientRoot), storedTrusted("other-root", otherRoot)],
    trust,
  }));
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
  gw = await startPlane(state());
});
afterAll(() => gw?.close());

/** The server's view of the next connection. */
function nextServerSocket(): Promise<TLSSocket> {
  return new Promise((resolve) => gw.plane.server.once("secureConnection", resolve));
}

describe("mutual TLS for hosts with client trust bindings", () => {
  it("asks no client for a certificate, and resumes sessions, while no binding exists", async () => {
    apply([]);
    const seen = nextServerSocket();
    expect((await api(trusted)).status).toBe(200);
    expect((await seen).getPeerX509Certificate()).toBeUndefined();

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
