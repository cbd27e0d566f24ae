import { createServer, type Server } from "node:https";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaf, makePki, type Issued, type Pki } from "../../../test/support/pki.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";

let admin: Admin;
let pki: Pki;
let selfSigned: Issued;
const servers: Server[] = [];

async function backend(chainPem: string, keyPem: string): Promise<string> {
  const server = createServer({ cert: chainPem, key: keyPem }, (_req, res) => res.writeHead(204).end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

beforeAll(async () => {
  [pki, selfSigned] = await Promise.all([makePki({ hosts: ["localhost", "127.0.0.1"] }), leaf({ hosts: ["127.0.0.1"] })]);
  admin = await startAdmin();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await admin?.close();
});

const probe = async (url: string) => (await admin.call("POST", "/v1/probe", { url, timeoutMs: 5000 })).body;

describe("POST /v1/probe", () => {
  it("trusts only the management truststore: fails before the CA is bound there, succeeds right after", async () => {
    const url = await backend(pki.chainPem, pki.leaf.keyPem);
    const before = await probe(url);
    expect(before).toMatchObject({ ok: false, error: { code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" } });

    expect((await admin.call("PUT", "/v1/trusted/corp-root", { certificate: pki.root.pem })).status).toBe(201);
    // Trusted for the environment's endpoints is not trusted for the management plane.
    expect((await admin.call("PUT", "/v1/trust/env", { alias: "corp-root", scope: "environment" })).status).toBe(201);
    expect((await probe(url)).ok).toBe(false);

    expect((await admin.call("PUT", "/v1/trust/mgmt", { alias: "corp-root", scope: "management" })).status).toBe(201);
    expect(await probe(url)).toEqual({ ok: true, status: 204 });

    expect((await admin.call("DELETE", "/v1/trust/mgmt")).status).toBe(200);
    expect((await probe(url)).ok).toBe(false);
  });

  it("reports the TLS error of a self-signed backend and the socket error of a closed port", async () => {
    const url = await backend(selfSigned.pem, selfSigned.keyPem);
    expect(await probe(url)).toMatchObject({ ok: false, error: { code: "DEPTH_ZERO_SELF_SIGNED_CERT" } });
    expect((await admin.call("PUT", "/v1/trusted/self", { certificate: selfSigned.pem })).status).toBe(201);
    expect((await admin.call("PUT", "/v1/trust/self", { alias: "self", scope: "management" })).status).toBe(201);
    expect(await probe(url)).toEqual({ ok: true, status: 204 });

    const closed = await backend(selfSigned.pem, selfSigned.keyPem);
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await probe(closed)).toMatchObject({ ok: false, error: { code: "ECONNREFUSED" } });
  });

  it("gives up at the deadline on a server that never answers", async () => {
    const silent = createTcpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const started = Date.now();
      const r = await admin.call("POST", "/v1/probe", { url, timeoutMs: 300 });
      expect(r.body).toMatchObject({ ok: false, error: { code: "ETIMEDOUT" } });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });

  it("refuses URLs that are not http(s)", async () => {
    const r = await admin.call("POST", "/v1/probe", { url: "ldaps://127.0.0.1:636" });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe("url");
  });
});
