import { createPrivateKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePki, type Pki } from "../../../test/support/pki.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";

// POST /v1/certificates/{name}/copy hands out a generated certificate's key so that apply can give the
// environment's other nodes the same one: only for generated certificates, only to the lock's holder.

let admin: Admin;
let pki: Pki;
const HOLDER = { "x-certform-lock-holder": "apply-1" };

beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com"] });
  admin = await startAdmin({ token: "t0ken", defaultHeaders: { authorization: "Bearer t0ken" } });
  expect((await admin.call("PUT", "/v1/certificates/gen", { generate: { hosts: ["*.dev.example.com"] } })).status).toBe(201);
  expect((await admin.call("PUT", "/v1/certificates/brought", { chain: pki.leaf.pem, key: pki.leaf.keyPem })).status).toBe(201);
});
afterAll(() => admin?.close());

describe("copying a generated certificate", () => {
  it("is refused without the token, without the lock, and to anyone but its holder", async () => {
    expect((await admin.call("POST", "/v1/certificates/gen/copy", undefined, { authorization: "" })).status).toBe(401);
    const unlocked = await admin.call("POST", "/v1/certificates/gen/copy", undefined, HOLDER);
    expect(unlocked.status).toBe(409);
    expect(unlocked.body.error.code).toBe("not-locked");
    expect((await admin.call("POST", "/v1/lock", { holder: "someone-else" })).status).toBe(200);
    const other = await admin.call("POST", "/v1/certificates/gen/copy", undefined, HOLDER);
    expect(other.status).toBe(423);
    expect(other.text).not.toContain("PRIVATE KEY");
    expect((await admin.call("DELETE", "/v1/lock", { holder: "someone-else" })).status).toBe(200);
  });

  it("gives the holder of the lock the chain and key of a generated certificate, and of nothing else", async () => {
    expect((await admin.call("POST", "/v1/lock", { holder: "apply-1" })).status).toBe(200);
    const copy = await admin.call("POST", "/v1/certificates/gen/copy", undefined, HOLDER);
    expect(copy.status).toBe(200);
    expect(copy.headers["cache-control"]).toBe("no-store");
    const stored = admin.store.state().certificates.get("gen")!;
    expect(copy.body).toMatchObject({ name: "gen", chain: stored.chainPem });
    expect(createPrivateKey(copy.body.key).equals(createPrivateKey(stored.keyPem))).toBe(true);

    const brought = await admin.call("POST", "/v1/certificates/brought/copy", undefined, HOLDER);
    expect(brought.status).toBe(409);
    expect(brought.body.error.code).toBe("not-generated");
    expect(brought.text).not.toContain("PRIVATE KEY");
    expect((await admin.call("POST", "/v1/certificates/missing/copy", undefined, HOLDER)).status).toBe(404);
    expect((await admin.call("GET", "/v1/certificates/gen/copy", undefined, HOLDER)).status).toBe(405);
    expect((await admin.call("POST", "/v1/trusted/gen/copy", undefined, HOLDER)).status).toBe(404);
  });

  it("a copy written to another node with generated: true is served and shown as generated", async () => {
    const copy = await admin.call("POST", "/v1/certificates/gen/copy", undefined, HOLDER);
    const put = await admin.call("PUT", "/v1/certificates/gen-copy", { chain: copy.body.chain, key: copy.body.key, generated: true, hosts: ["a.dev.example.com"] }, HOLDER);
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ generated: true, fingerprint256: copy.body.fingerprint256 });
    const alone = await admin.call("PUT", "/v1/certificates/gen-x", { generated: true, hosts: ["a.dev.example.com"] }, HOLDER);
    expect(alone.status).toBe(422);
    expect(alone.body.error).toMatchObject({ code: "certificate-source", field: "generated" });
  });
});
