import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePki, type Pki } from "../../../test/support/pki.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";

// Pending signing requests: made by a batch put, read without their key, handed to another node only sealed
// to that node's transfer key, and taken by the certificate written with keyFrom.

let a: Admin;
let b: Admin;
let pki: Pki;
const HOLDER = { "x-certform-lock-holder": "apply-1" };
const labels = { "certform.dev/stack": "pki", "certform.dev/address": "certificates.api[prod]" };

const put = (admin: Admin, body: unknown, collection = "requests", name = "api", headers: Record<string, string> = {}) => admin.call("POST", "/v1/batch", { operations: [{ op: "put", collection, name, body }] }, headers);

beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com"] });
  [a, b] = await Promise.all([startAdmin(), startAdmin()]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe("signing requests", () => {
  it("a put makes the key and a CSR; reads show the CSR and the key's fingerprint, never the key", async () => {
    const made = await put(a, { csr: { hosts: ["api.example.com"], subject: "CN=api.example.com, O=Example" }, labels });
    expect(made.status).toBe(200);
    expect(made.body.results[0].status).toBe(201);
    const one = await a.call("GET", "/v1/requests/api");
    expect(one.status).toBe(200);
    expect(one.body.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(one.body.keyFingerprint256).toBe(a.store.state().requests.api!.keyFingerprint256);
    const list = await a.call("GET", "/v1/requests");
    expect(list.body.items.map((r: { name: string }) => r.name)).toEqual(["api"]);
    for (const r of [made, one, list]) expect(r.text).not.toContain("PRIVATE KEY");
    expect((await a.call("GET", "/v1/requests/nope")).status).toBe(404);
  });

  it("refuses a body with both or neither of csr and sealed", async () => {
    const both = await put(a, { csr: { hosts: ["api.example.com"] }, sealed: { ephemeral: "x", iv: "x", ciphertext: "x", tag: "x" } });
    expect(both.status).toBe(422);
    expect(both.body.error.code).toBe("request-source");
    expect((await put(a, { labels })).body.error.code).toBe("request-source");
  });

  it("seals only for the lock holder, and only the recipient node can open the copy", async () => {
    const recipient = (await b.call("GET", "/v1/transfer-key")).body.publicKey as string;
    const unlocked = await a.call("POST", "/v1/requests/api/seal", { recipient }, HOLDER);
    expect(unlocked.status).toBe(409);
    expect(unlocked.body.error.code).toBe("not-locked");
    expect((await a.call("POST", "/v1/lock", { holder: "apply-1" })).status).toBe(200);
    const sealed = await a.call("POST", "/v1/requests/api/seal", { recipient }, HOLDER);
    expect(sealed.status).toBe(200);
    expect(sealed.text).not.toContain("PRIVATE KEY");
    // Sealed to b: a itself cannot open it, nor can b once it is altered.
    expect((await put(a, { sealed: sealed.body.sealed, labels }, "requests", "other", HOLDER)).body.error.code).toBe("sealed-unreadable");
    const altered = { ...sealed.body.sealed, ciphertext: Buffer.from("not the request").toString("base64") };
    expect((await put(b, { sealed: altered, labels })).body.error.code).toBe("sealed-unreadable");
    const copied = await put(b, { sealed: sealed.body.sealed, labels });
    expect(copied.status).toBe(200);
    expect(b.store.state().requests.api!.keyFingerprint256).toBe(a.store.state().requests.api!.keyFingerprint256);
    expect(b.store.state().requests.api!.csrPem).toBe(a.store.state().requests.api!.csrPem);
    const bad = await a.call("POST", "/v1/requests/api/seal", { recipient: "bm90IGEga2V5" }, HOLDER);
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("recipient-invalid");
    expect((await a.call("DELETE", "/v1/lock", { holder: "apply-1" })).status).toBe(200);
  });

  it("keyFrom: a certificate for another key is refused and the request kept; a missing request is named", async () => {
    const wrong = await put(a, { chain: pki.leaf.pem, keyFrom: "api", labels }, "certificates", "api");
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe("csr-certificate-mismatch");
    expect(a.store.state().requests.api).toBeDefined();
    expect(a.store.state().certificates.get("api")).toBeUndefined();
    const missing = await put(a, { chain: pki.leaf.pem, keyFrom: "nope", labels }, "certificates", "api");
    expect(missing.status).toBe(409);
    expect(missing.body.error.code).toBe("request-missing");
    const withKey = await put(a, { chain: pki.leaf.pem, key: pki.leaf.keyPem, keyFrom: "api", labels }, "certificates", "api");
    expect(withKey.body.error.code).toBe("certificate-source");
  });

  it("a delete removes the request", async () => {
    expect((await b.call("POST", "/v1/batch", { operations: [{ op: "delete", collection: "requests", name: "api" }] })).status).toBe(200);
    expect((await b.call("GET", "/v1/requests/api")).status).toBe(404);
  });
});
