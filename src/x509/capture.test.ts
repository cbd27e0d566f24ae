import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePki, toPem, type Pki } from "../../test/support/pki.js";
import { captureChain, captureTarget } from "./capture.js";
import { describeSocketError } from "./socket-errors.js";
import { selectFromChain } from "./chain-order.js";
import { MaterialError } from "./errors.js";

let pki: Pki;
const servers: Server[] = [];

const sockets = new Set<{ destroy(): void }>();

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  pki = await makePki({ hosts: ["localhost", "127.0.0.1"] });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function failure(p: Promise<unknown>): Promise<MaterialError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MaterialError);
    return err as MaterialError;
  }
  throw new Error("expected a failure");
}

describe("captureChain", () => {
  it("returns what an https server presents, leaf first", async () => {
    const port = await listen(createHttpsServer({ cert: pki.chainPem, key: pki.leaf.keyPem }, (_req, res) => res.end("ok")));
    const chain = await captureChain(`https://127.0.0.1:${port}`);
    expect(chain.map((c) => c.fingerprint256)).toEqual([pki.leaf.certificate.fingerprint256, pki.intermediate.certificate.fingerprint256]);
    expect(selectFromChain(chain, "leaf")).toEqual([chain[0]]);
    expect(selectFromChain(chain, "root")).toEqual([chain[1]]);
    expect(selectFromChain(chain, "chain")).toHaveLength(2);
  });

  it("stops at the self-signed root when the server sends it, and sends SNI for names", async () => {
    let sni: string | undefined;
    const server = createHttpsServer(
      {
        cert: pki.fullChainPem,
        key: pki.leaf.keyPem,
        SNICallback: (name, cb) => {
          sni = name;
          cb(null);
        },
      },
      (_req, res) => res.end("ok"),
    );
    const port = await listen(server);
    const chain = await captureChain(`https://localhost:${port}/ignored/path`);
    expect(chain).toHaveLength(3);
    expect(chain[2]!.fingerprint256).toBe(pki.root.certificate.fingerprint256);
    expect(selectFromChain(chain, "root")[0]!.fingerprint256).toBe(pki.root.certificate.fingerprint256);
    expect(sni).toBe("localhost");
  });

  it("captures from an ldaps-like plain TLS server", async () => {
    const server = createTlsServer({ cert: toPem([pki.leaf.certificate, pki.intermediate.certificate]), key: pki.leaf.keyPem }, (socket) => socket.end());
    const port = await listen(server);
    const chain = await captureChain(`ldaps://127.0.0.1:${port}`);
    expect(chain[0]!.fingerprint256).toBe(pki.leaf.certificate.fingerprint256);
  });

  it("says the connection was refused", async () => {
    const server = createNetServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    servers.pop();
    const e = await failure(captureChain(`https://127.0.0.1:${port}`));
    expect(e.code).toBe("capture-failed");
    expect(e.message).toBe(`cannot capture the certificate of "127.0.0.1:${port}": connection refused (ECONNREFUSED)`);
    expect(e.hint).toMatch(/server is running/);
  });

  it("times out on a server that never answers the handshake", async () => {
    const port = await listen(createNetServer(() => undefined));
    const e = await failure(captureChain(`https://127.0.0.1:${port}`, { timeoutMs: 300 }));
    expect(e.code).toBe("capture-failed");
    expect(e.message).toMatch(/timeout/);
  });

  it("reports a server that does not speak TLS", async () => {
    const port = await listen(createNetServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
    const e = await failure(captureChain(`https://127.0.0.1:${port}`));
    expect(e.code).toBe("capture-failed");
    expect(e.message).toMatch(/^cannot capture the certificate of "127\.0\.0\.1:\d+": the server did not answer with TLS \(is it plain HTTP or LDAP without TLS\?\) \(ERR_SSL_WRONG_VERSION_NUMBER\)$/);
    // OpenSSL's internal text never reaches the user.
    expect(e.message).not.toMatch(/ssl3_get_record|deps\/openssl|routines/);
  });

  it("names a TLS alert in plain words, keeping its code", async () => {
    // Answers the ClientHello with a fatal handshake_failure alert record, as a server with no common cipher does.
    const port = await listen(createNetServer((socket) => socket.once("data", () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])))));
    const e = await failure(captureChain(`https://127.0.0.1:${port}`));
    expect(e.message).toMatch(/: the server ended the handshake with the TLS alert "handshake failure" \(ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE\)$/);
    expect(e.hint).toMatch(/--servername/);
  });

  it("maps socket errors to plain words with their code", () => {
    const err = (code: string, message = "x"): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
    expect(describeSocketError(err("ETIMEDOUT"), "h").reason).toBe("the connection timed out (ETIMEDOUT)");
    expect(describeSocketError(err("ENOTFOUND"), "nowhere.example").reason).toBe('host "nowhere.example" not found (DNS, ENOTFOUND)');
    expect(describeSocketError(err("EPROTO", "1234:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/x.c:350:"), "h").reason)
      .toBe("the server did not answer with TLS (is it plain HTTP or LDAP without TLS?) (EPROTO)");
    expect(describeSocketError(err("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"), "h")).toEqual({
      reason: 'the server ended the handshake with the TLS alert "certificate required" (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
      hint: expect.stringMatching(/client certificate/),
    });
    expect(describeSocketError(err("ERR_SSL_UNSUPPORTED_PROTOCOL", "error:0A000102:SSL routines::unsupported protocol"), "h").reason).toBe("the TLS handshake failed: unsupported protocol (ERR_SSL_UNSUPPORTED_PROTOCOL)");
    expect(describeSocketError(err("EWEIRD", "../deps/openssl/secret"), "h").reason).toBe("the connection failed (EWEIRD)");
  });

  it("refuses URLs that are not https:// or ldaps://", async () => {
    expect((await failure(captureChain("http://127.0.0.1:80"))).code).toBe("url-invalid");
    expect((await failure(captureChain("ldap://127.0.0.1"))).message).toMatch(/only over https:\/\/ or ldaps:\/\//);
    expect((await failure(captureChain("not a url"))).code).toBe("url-invalid");
  });

  it("defaults ports and SNI", () => {
    expect(captureTarget("https://api.example.com")).toEqual({ host: "api.example.com", port: 443, servername: "api.example.com" });
    expect(captureTarget("ldaps://10.0.0.1")).toEqual({ host: "10.0.0.1", port: 636 });
    expect(captureTarget("https://[::1]:8443")).toEqual({ host: "::1", port: 8443 });
    expect(captureTarget("https://10.0.0.1:8443", "api.example.com").servername).toBe("api.example.com");
  });
});
