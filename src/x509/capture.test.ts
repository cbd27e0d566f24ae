import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePki, toPem, type Pki } from "../../test/support/pki.js";
import { captureChain, captureTarget } from "./capture.js";
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
    expect(e.message).toBe(`cannot capture the certificate of 127.0.0.1:${port}: connection refused`);
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
    expect(e.message).toMatch(/127\.0\.0\.1:\d+: /);
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
