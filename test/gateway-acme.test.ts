import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";

// The embedded gateway answers ACME challenges itself (issue 18): responses written through the admin API
// by the holder of the node's lock, served on the --http listener (http-01) and on the TLS listener to
// clients that offer ALPN acme-tls/1 (tls-alpn-01). A real gateway process and real handshakes.

let gw: GatewayProcess;
const HOLDER = "apply test-acme";
const locked = { "x-certform-lock-holder": HOLDER };

/** A handshake offering only ALPN acme-tls/1, as an ACME CA's validation does: the leaf and the protocol agreed. */
function acmeHandshake(port: number, servername: string): Promise<{ cert: X509Certificate; protocol: string | false | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername, ALPNProtocols: ["acme-tls/1"], rejectUnauthorized: false }, () => {
      const result = { cert: new X509Certificate(socket.getPeerCertificate().raw), protocol: socket.alpnProtocol };
      socket.end();
      resolve(result);
    });
    socket.once("error", reject);
  });
}

async function alpnChallenge(host: string, keyAuthorization: string) {
  const authz = { identifier: { type: "dns", value: host } } as acme.Authorization;
  const [key, certificate] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, await acme.crypto.createPrivateEcdsaKey());
  return { type: "tls-alpn-01", host, certificate: certificate.toString(), key: key.toString() };
}

beforeAll(async () => {
  gw = await startGateway({ extraArgs: ["--http", "127.0.0.1:0"] });
  const put = await api(gw.admin, "PUT", "/v1/certificates/api", { hosts: ["api.example.com"], generate: { hosts: ["api.example.com"], validityDays: 30 } });
  expect(put.status).toBe(201);
  const lock = await api(gw.admin, "POST", "/v1/lock", { holder: HOLDER, purpose: "test", ttlSeconds: 60 });
  expect(lock.status).toBe(200);
});
afterAll(async () => {
  await gw?.stop();
});

describe("ACME challenge responses on the embedded gateway", () => {
  it("gateway start --http prints the HTTP listener, which answers nothing but challenges", async () => {
    expect(gw.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${gw.http}/anything`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("ACME http-01 challenges only");
  });

  it("http-01: the key authorization is served at /.well-known/acme-challenge/TOKEN until it is deleted", async () => {
    const token = "tok-EN_123";
    const put = await api(gw.admin, "PUT", `/v1/acme/challenges/${token}`, { type: "http-01", token, keyAuthorization: `${token}.thumbprint` }, locked);
    expect(put.status).toBe(200);
    const res = await fetch(`${gw.http}/.well-known/acme-challenge/${token}`, { headers: { host: "www.example.com" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`${token}.thumbprint`);

    const del = await api(gw.admin, "DELETE", `/v1/acme/challenges/${token}`, undefined, locked);
    expect(del.body).toEqual({ token, deleted: true });
    expect((await fetch(`${gw.http}/.well-known/acme-challenge/${token}`)).status).toBe(404);
  });

  it("tls-alpn-01: a handshake offering acme-tls/1 gets the challenge certificate; other handshakes get the host's own", async () => {
    const own = new X509Certificate((await handshake(gw.listenPort, "api.example.com")).raw).fingerprint256;
    const put = await api(gw.admin, "PUT", "/v1/acme/challenges/alpn-token", await alpnChallenge("api.example.com", "alpn-token.thumbprint"), locked);
    expect(put.status).toBe(200);
    expect(put.text).not.toContain("PRIVATE KEY");

    const { cert, protocol } = await acmeHandshake(gw.listenPort, "api.example.com");
    expect(protocol).toBe("acme-tls/1");
    expect(acme.crypto.isAlpnCertificateAuthorizationValid(cert.toString(), "alpn-token.thumbprint")).toBe(true);
    expect(new X509Certificate((await handshake(gw.listenPort, "api.example.com")).raw).fingerprint256).toBe(own);

    await api(gw.admin, "DELETE", "/v1/acme/challenges/alpn-token", undefined, locked);
    // Without a pending challenge the host's own server answers, which speaks no acme-tls/1: the CA gets the
    // no_application_protocol alert RFC 8737 asks for, never a certificate.
    await expect(acmeHandshake(gw.listenPort, "api.example.com")).rejects.toThrow(/no application protocol/);
  });

  it("only the holder of the node's lock writes challenges, and a certificate that does not load with its key is refused", async () => {
    const body = { type: "http-01", token: "t1", keyAuthorization: "t1.x" };
    const other = await api(gw.admin, "PUT", "/v1/acme/challenges/t1", body, { "x-certform-lock-holder": "someone else" });
    expect(other.status).toBe(423);
    const none = await api(gw.admin, "PUT", "/v1/acme/challenges/t1", body);
    expect(none.status).toBe(423);
    const mismatch = await api(gw.admin, "PUT", "/v1/acme/challenges/t2", body, locked);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe("token-mismatch");

    const a = await alpnChallenge("api.example.com", "x.y");
    const b = await alpnChallenge("api.example.com", "x.y");
    const bad = await api(gw.admin, "PUT", "/v1/acme/challenges/t3", { ...a, key: b.key }, locked);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("challenge-certificate-invalid");
    expect(bad.text).not.toContain("PRIVATE KEY");

    await api(gw.admin, "DELETE", "/v1/lock", { holder: HOLDER });
    const unlocked = await api(gw.admin, "PUT", "/v1/acme/challenges/t1", body, locked);
    expect(unlocked.status).toBe(409);
    expect(unlocked.body.error.code).toBe("not-locked");
  });

  it("a node without --http refuses an http-01 response at once, saying how to start it", async () => {
    const plain = await startGateway();
    try {
      await api(plain.admin, "POST", "/v1/lock", { holder: HOLDER, purpose: "test", ttlSeconds: 60 });
      const put = await api(plain.admin, "PUT", "/v1/acme/challenges/t1", { type: "http-01", token: "t1", keyAuthorization: "t1.x" }, locked);
      expect(put.status).toBe(409);
      expect(put.body.error).toMatchObject({ code: "no-http-listener" });
      expect(put.body.error.hint).toContain("--http");
    } finally {
      await plain.stop();
    }
  });
});
