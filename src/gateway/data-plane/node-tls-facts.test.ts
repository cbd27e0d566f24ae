/**
 * What Node's TLS server does in the cases the data plane depends on, checked on a bare tls.Server so
 * that a Node release that changes one of them fails here, by name, rather than somewhere downstream.
 */
import { constants } from "node:crypto";
import type { AddressInfo } from "node:net";
import { connect, createSecureContext, createServer, type ConnectionOptions, type SecureContext, type Server, type TLSSocket } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, toPem, type Issued } from "../../../test/support/pki.js";

let ca: Issued;
let a: Issued;
let fallback: Issued;
let client: Issued;
let ctxA: SecureContext;
let server: Server | undefined;

beforeAll(async () => {
  ca = await makeCa();
  [a, fallback, client] = await Promise.all([issue({ issuer: ca, hosts: ["a.example.com"] }), issue({ issuer: ca, hosts: ["fallback.example.com"] }), issue({ issuer: ca, hosts: ["client"] })]);
  ctxA = createSecureContext({ cert: toPem([a.certificate]), key: a.keyPem, ca: [ca.pem] });
});
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

interface Seen {
  sni: string[];
  server: TLSSocket[];
}

async function listen(choose: (name: string) => SecureContext | Error | undefined, opts: { fallback?: boolean; requestCert?: boolean } = {}): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = { sni: [], server: [] };
  server = createServer({
    rejectUnauthorized: false,
    requestCert: opts.requestCert ?? false,
    ...(opts.fallback ? { cert: fallback.pem, key: fallback.keyPem } : {}),
    SNICallback: (name, cb) => {
      seen.sni.push(name);
      const c = choose(name);
      if (c instanceof Error) cb(c);
      else cb(null, c);
    },
  });
  server.on("secureConnection", (s) => {
    seen.server.push(s);
    s.end("x");
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { port: (server!.address() as AddressInfo).port, seen };
}

function hs(port: number, servername: string | undefined, extra: ConnectionOptions = {}): Promise<{ fp: string; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    let fp: string | undefined;
    // A resumed session may not show the server's certificate again: "" then.
    const s = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, ...extra }, () => (fp = s.getPeerX509Certificate()?.fingerprint256 ?? ""));
    s.on("session", (x) => (session = x));
    s.on("data", () => {});
    s.on("close", () => (fp !== undefined ? resolve({ fp, session }) : reject(new Error(`closed before the handshake (${servername})`))));
    s.on("error", reject);
  });
}

const fpOf = (c: Issued) => c.certificate.fingerprint256;

describe("Node's TLS server, as the data plane relies on it", () => {
  it("does not call SNICallback without SNI, and serves the server's own context", async () => {
    const { port, seen } = await listen(() => ctxA, { fallback: true });
    expect((await hs(port, undefined)).fp).toBe(fpOf(fallback));
    expect(seen.sni).toEqual([]);
  });

  it("serves the server's own context when SNICallback gives none, or one without a certificate", async () => {
    const { port } = await listen((name) => (name === "empty.example.com" ? createSecureContext({ ca: [] }) : undefined), { fallback: true });
    expect((await hs(port, "unknown.example.com")).fp).toBe(fpOf(fallback));
    expect((await hs(port, "empty.example.com")).fp).toBe(fpOf(fallback));
  });

  it("fails the handshake with a handshake_failure alert when no context has a certificate", async () => {
    const { port } = await listen(() => undefined);
    await expect(hs(port, "unknown.example.com")).rejects.toMatchObject({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
    await expect(hs(port, undefined)).rejects.toMatchObject({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
  });

  it("ends the connection when SNICallback reports an error", async () => {
    const { port } = await listen(() => new Error("refused"), { fallback: true });
    await expect(hs(port, "a.example.com")).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("reads requestCert from the server for each new connection, and verifies with the SNI context's CAs", async () => {
    const { port, seen } = await listen((name) => (name === "a.example.com" ? ctxA : undefined), { fallback: true });
    const withCert = { cert: client.pem, key: client.keyPem };
    await hs(port, "a.example.com", withCert);
    expect(seen.server[0]!.getPeerX509Certificate()).toBeUndefined();
    (server as unknown as { requestCert: boolean }).requestCert = true;
    await hs(port, "a.example.com", withCert);
    expect(seen.server[1]!.getPeerX509Certificate()?.fingerprint256).toBe(fpOf(client));
    expect(seen.server[1]!.authorized).toBe(true);
    // The server's own context trusts no CA here (Node's bundled roots only).
    await hs(port, "other.example.com", withCert);
    expect(seen.server[2]!.authorized).toBe(false);
  });

  it("calls SNICallback on the connection's TLSSocket, where the verify mode can still be set for the name asked for", async () => {
    type Internals = { _handle: { setVerifyMode(request: boolean, reject: boolean): void }; _requestCert: boolean };
    const seen: TLSSocket[] = [];
    for (const initially of [false, true]) {
      server = createServer({
        rejectUnauthorized: false,
        requestCert: initially,
        cert: fallback.pem,
        key: fallback.keyPem,
        SNICallback(this: TLSSocket, name, cb) {
          const ask = name === "a.example.com";
          const s = this as unknown as Internals;
          s._handle.setVerifyMode(ask, false);
          // Node sets authorized after the handshake only when this is true.
          s._requestCert = ask;
          cb(null, ctxA);
        },
      });
      server.on("secureConnection", (s) => {
        seen.push(s);
        s.end("x");
      });
      await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
      const port = (server.address() as AddressInfo).port;
      for (const maxVersion of ["TLSv1.2", "TLSv1.3"] as const) {
        const withCert = { cert: client.pem, key: client.keyPem, maxVersion };
        await hs(port, "a.example.com", withCert);
        expect(seen.at(-1)!.getPeerX509Certificate()?.fingerprint256).toBe(fpOf(client));
        expect(seen.at(-1)!.authorized).toBe(true);
        await hs(port, "b.example.com", withCert);
        expect(seen.at(-1)!.getPeerX509Certificate()).toBeUndefined();
        expect(seen.at(-1)!.authorized).toBe(false);
      }
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it("resumes a session under another SNI name with the first connection's client certificate, unless tickets are off", async () => {
    const { port, seen } = await listen((name) => (name === "a.example.com" ? ctxA : undefined), { fallback: true, requestCert: true });
    const first = await hs(port, "a.example.com", { cert: client.pem, key: client.keyPem });
    await hs(port, "other.example.com", { session: first.session });
    expect(seen.server[1]!.isSessionReused()).toBe(true);
    expect(seen.server[1]!.authorized).toBe(true);

    server!.setSecureContext({ cert: fallback.pem, key: fallback.keyPem, secureOptions: constants.SSL_OP_NO_TICKET });
    for (const maxVersion of ["TLSv1.2", "TLSv1.3"] as const) {
      const second = await hs(port, "a.example.com", { cert: client.pem, key: client.keyPem, maxVersion });
      expect(second.session).toBeDefined();
      await hs(port, "a.example.com", { session: second.session, maxVersion });
      expect(seen.server.at(-1)!.isSessionReused()).toBe(false);
    }
  });
});
