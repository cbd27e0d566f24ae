import { request as httpRequest } from "node:http";
import { createConnection } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { daysAgo, issue, leaf, makeCa, makePki, toPem, type Issued, type Pki } from "./support/pki.js";

const TOKEN = "s3cret-admin-token";
const auth = { authorization: `Bearer ${TOKEN}` };
let gw: GatewayProcess;
let pki: Pki;
let ca: Issued;

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => api(gw.admin, method, path, body, { ...auth, ...headers });
const revision = async () => (await call("GET", "/v1/status")).body.revision as number;
const names = async (collection: string) => (await call("GET", `/v1/${collection}`)).body.items.map((i: { name?: string; alias?: string }) => i.name ?? i.alias);

beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com"] });
  ca = await makeCa();
  gw = await startGateway({ token: TOKEN });
});
afterAll(() => gw?.stop());

describe("the admin API guards the store", () => {
  it("answers 401 without the bearer token or with a wrong one, on every route", async () => {
    for (const path of ["/v1/status", "/v1/certificates", "/metrics"]) {
      const none = await api(gw.admin, "GET", path);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await api(gw.admin, "GET", path, undefined, { authorization: "Bearer wrong" })).status).toBe(401);
    }
    expect((await call("GET", "/v1/status")).status).toBe(200);
  });

  it("answers 413 to a body over the limit", async () => {
    const r = await call("PUT", "/v1/trusted/big", { certificate: "x".repeat(2 * 1024 * 1024) });
    expect(r.status).toBe(413);
  });

  it("refuses each invalid object with a clear 4xx and leaves the store unchanged", async () => {
    const other = await leaf({ hosts: ["api.example.com"] });
    const expired = await issue({ issuer: pki.intermediate, hosts: ["api.example.com"], notBefore: daysAgo(30), notAfter: daysAgo(1) });
    const noSan = await issue({ issuer: pki.intermediate, noSan: true, subject: "CN=api.example.com" });
    const before = await revision();
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ["mismatched key", { chain: pki.chainPem, key: other.keyPem }, "key-mismatch", /key/],
      ["expired", { chain: toPem([expired.certificate, pki.intermediate.certificate]), key: expired.keyPem }, "expired", /chain|certificate/],
      ["no SAN", { chain: toPem([noSan.certificate, pki.intermediate.certificate]), key: noSan.keyPem }, "no-san", /chain|certificate/],
      ["broken chain", { chain: toPem([pki.leaf.certificate, ca.certificate]), key: pki.leaf.keyPem }, "chain-order", /chain|certificate/],
    ];
    for (const [what, body, code, field] of cases) {
      const r = await call("PUT", "/v1/certificates/api", body);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(r.body.error.code, what).toBe(code);
      expect(r.body.error.field, what).toMatch(field);
      expect(r.body.error.message.length, what).toBeGreaterThan(10);
      expect(keyEchoes(r.text, secretOf(other.key))).toEqual([]);
    }
    expect(await revision()).toBe(before);
    expect(await names("certificates")).toEqual([]);
  });

  it("never returns a private key", async () => {
    const r = await call("PUT", "/v1/certificates/api", { chain: pki.chainPem, key: pki.leaf.keyPem });
    expect(r.status).toBe(201);
    const all = [r, await call("GET", "/v1/certificates/api"), await call("GET", "/v1/certificates"), await call("GET", "/v1/status"), await call("GET", "/metrics")];
    for (const res of all) {
      expect(res.text).not.toContain("PRIVATE KEY");
      expect(keyEchoes(res.text, secretOf(pki.leaf.key))).toEqual([]);
    }
    expect(r.body.keyFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("updates a certificate's hosts, default flag and labels in place, keeping its material (a generated key never leaves the node)", async () => {
    const made = await call("PUT", "/v1/certificates/gen", { generate: { hosts: ["*.gen.example.com"] } });
    expect(made.status).toBe(201);
    const kept = await call("PUT", "/v1/certificates/gen", { hosts: ["a.gen.example.com"], default: true, labels: { team: "edge" } });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ hosts: ["a.gen.example.com"], default: true, labels: { team: "edge" }, generated: true });
    expect(kept.body.fingerprint256).toBe(made.body.fingerprint256);
    expect(kept.body.keyFingerprint256).toBe(made.body.keyFingerprint256);
    const uncovered = await call("PUT", "/v1/certificates/gen", { hosts: ["other.example.com"] });
    expect(uncovered.status).toBe(422);
    expect(uncovered.body.error.code).toBe("host-not-covered");
    expect((await call("DELETE", "/v1/certificates/gen")).status).toBe(200);
  });

  it("answers 409 to a duplicate alias, whatever its case", async () => {
    expect((await call("PUT", "/v1/trusted/billing-ca", { certificate: ca.pem })).status).toBe(201);
    const dup = await call("PUT", "/v1/trusted/Billing-CA", { certificate: ca.pem });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("alias-duplicate");
  });

  it("answers 412 when If-Match names a revision that has moved", async () => {
    const current = await call("GET", "/v1/trusted");
    const etag = current.headers.get("etag")!;
    expect(etag).toBe(`"${current.body.revision}"`);
    expect((await call("PUT", "/v1/endpoints/billing", { url: "https://127.0.0.1:1", path: "/billing" }, { "if-match": etag })).status).toBe(201);
    const stale = await call("PUT", "/v1/endpoints/billing", { url: "https://127.0.0.1:2", path: "/billing" }, { "if-match": etag });
    expect(stale.status).toBe(412);
    expect((await call("GET", "/v1/endpoints/billing")).body.url).toBe("https://127.0.0.1:1");
  });

  it("answers 423 to writers that do not hold the lock, naming the holder", async () => {
    const lock = await call("POST", "/v1/lock", { holder: "apply-1", purpose: "apply", ttlSeconds: 60 });
    expect(lock.status).toBe(200);
    const blocked = await call("PUT", "/v1/endpoints/other", { url: "https://127.0.0.1:3", path: "/other" });
    expect(blocked.status).toBe(423);
    expect(blocked.body.error).toMatchObject({ code: "locked", holder: "apply-1" });
    expect(blocked.body.error.since).toBeTruthy();
    expect((await call("POST", "/v1/lock", { holder: "apply-2", purpose: "apply" })).status).toBe(423);
    const mine = await call("PUT", "/v1/endpoints/other", { url: "https://127.0.0.1:3", path: "/other" }, { "x-certform-lock-holder": "apply-1" });
    expect(mine.status).toBe(201);
    expect((await call("DELETE", "/v1/lock?force=true")).status).toBe(200);
    expect((await call("DELETE", "/v1/endpoints/other")).status).toBe(200);
  });

  it("applies a batch atomically: one failing operation and nothing changes", async () => {
    const before = await revision();
    const bad = await call("POST", "/v1/batch", {
      operations: [
        { op: "put", collection: "trusted", name: "first-ca", body: { certificate: ca.pem } },
        { op: "put", collection: "trust", name: "t", body: { alias: "no-such-alias", scope: "environment" } },
      ],
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.body.error.index).toBe(1);
    expect(await revision()).toBe(before);
    expect(await names("trusted")).not.toContain("first-ca");

    const good = await call("POST", "/v1/batch", {
      operations: [
        { op: "put", collection: "trusted", name: "first-ca", body: { certificate: ca.pem } },
        { op: "put", collection: "trust", name: "t", body: { alias: "first-ca", scope: "environment" } },
      ],
    });
    expect(good.status).toBe(200);
    expect(await revision()).toBe(before + 1);
  });

  it("serves Prometheus metrics behind the token", async () => {
    const m = await call("GET", "/metrics");
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/^certform_gateway_revision \d+$/m);
    expect(m.text).toMatch(/certform_certificate_not_after_seconds\{[^}]*name="api"/);
  });
});

/** A request whose body goes in chunks, without Content-Length: the limit must hold while the body streams. */
function chunked(url: string, method: string, chunks: string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { "content-type": "application/json", "transfer-encoding": "chunked", ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

/** A TCP connection attempt: "connected" or the error code. */
function reach(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port }, () => {
      s.destroy();
      resolve("connected");
    });
    s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe("the admin API's exposure", () => {
  it("listens on loopback unless told otherwise, and warns when told to listen beyond it without a token", async () => {
    const local = await startGateway({ admin: ":0", listen: ":0" });
    try {
      const admin = new URL(local.admin);
      expect(admin.hostname).toBe("127.0.0.1");
      expect(await reach("127.0.0.1", Number(admin.port))).toBe("connected");
      // This machine's other addresses do not lead to it (where it has one).
      const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal);
      if (external) expect(await reach(external.address, Number(admin.port))).toBe("ECONNREFUSED");
      expect(local.output.join("\n")).not.toContain("warning");
    } finally {
      await local.stop();
    }
    const open = await startGateway({ admin: "0.0.0.0:0" });
    await open.stop();
    expect(open.output.join("\n")).toMatch(/warning: the admin API listens on 0\.0\.0\.0, beyond this machine, without a token.*--token-env/);
    const guarded = await startGateway({ admin: "0.0.0.0:0", token: TOKEN });
    await guarded.stop();
    expect(guarded.output.join("\n")).not.toContain("warning");
  });

  it("answers 401 to every write without the token, and changes nothing", async () => {
    const before = await revision();
    const writes: [string, string, unknown][] = [
      ["PUT", "/v1/endpoints/intruder", { url: "https://evil.internal", path: "/evil" }],
      ["POST", "/v1/batch", { operations: [{ op: "delete", collection: "trusted", name: "billing-ca" }] }],
      ["POST", "/v1/lock", { holder: "intruder", purpose: "x", ttlSeconds: 60 }],
      ["DELETE", "/v1/lock?force=true", undefined],
      ["DELETE", "/v1/trusted/billing-ca", undefined],
      ["POST", "/v1/certificates/api/copy", undefined],
      ["POST", "/v1/probe", { url: "https://127.0.0.1:1" }],
    ];
    for (const [method, path, body] of writes) {
      expect((await api(gw.admin, method, path, body)).status, `${method} ${path}`).toBe(401);
      expect((await api(gw.admin, method, path, body, { authorization: "Bearer not-the-token" })).status, `${method} ${path}`).toBe(401);
    }
    expect(await revision()).toBe(before);
    expect((await call("GET", "/v1/status")).body.lock).toBeNull();
  });

  it("bounds every body: 413 over 1 MiB, also when it streams without a length; an unauthenticated body is never read", async () => {
    const before = await revision();
    const big = JSON.stringify({ operations: [{ op: "put", collection: "endpoints", name: "big", body: { url: "https://big.internal", path: `/${"x".repeat(1100 * 1024)}` } }] });
    expect((await call("POST", "/v1/batch", big)).status).toBe(413);
    const pieces = Array.from({ length: 40 }, (_, i) => (i === 0 ? '{"holder":"' : "y".repeat(32 * 1024)));
    expect(await chunked(`${gw.admin}/v1/lock`, "POST", pieces, auth)).toBe(413);
    expect(await chunked(`${gw.admin}/v1/batch`, "POST", [big.slice(0, 600_000), big.slice(600_000)], auth)).toBe(413);
    expect(await chunked(`${gw.admin}/v1/batch`, "POST", [big])).toBe(401);
    expect(await revision()).toBe(before);
    expect((await call("GET", "/v1/status")).body.lock).toBeNull();
  });

  it("keeps keys write-only: no answer to a batch, a generated certificate, a list or a JWKS carries one", async () => {
    const other = await issue({ issuer: pki.intermediate, hosts: ["batch.example.com"] });
    const batch = await call("POST", "/v1/batch", {
      operations: [
        { op: "put", collection: "certificates", name: "batch-cert", body: { chain: toPem([other.certificate, pki.intermediate.certificate]), key: other.keyPem } },
        { op: "put", collection: "certificates", name: "made-here", body: { generate: { hosts: ["made.example.com"] } } },
        { op: "put", collection: "jwks", name: "batch-jwk", body: { source: { certificate: "batch-cert" } } },
      ],
    });
    expect(batch.status).toBe(200);
    const answers = [batch, await call("GET", "/v1/certificates/made-here"), await call("GET", "/v1/certificates"), await call("GET", "/v1/jwks"), await call("GET", "/v1/jwks/batch-jwk"), await call("GET", "/v1/status")];
    for (const res of answers) {
      expect(res.text).not.toContain("PRIVATE KEY");
      expect(keyEchoes(res.text, secretOf(other.key))).toEqual([]);
      expect(res.text).not.toMatch(/"(key|d|p|q|dp|dq|qi)":/);
    }
    // The one answer that carries a key (a generated certificate's copy, for another node) is the lock holder's only.
    const copy = await call("POST", "/v1/certificates/made-here/copy");
    expect(copy.status).toBe(409);
    expect(copy.body.error.code).toBe("not-locked");
    expect(copy.text).not.toContain("PRIVATE KEY");
    await call("POST", "/v1/batch", {
      operations: ["batch-jwk"].map((name) => ({ op: "delete", collection: "jwks", name })).concat(["batch-cert", "made-here"].map((name) => ({ op: "delete", collection: "certificates", name }))),
    });
  });
});
