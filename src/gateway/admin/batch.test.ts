import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaf, makeCa, makePki, type Issued, type Pki } from "../../../test/support/pki.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";
import { storeText } from "../../../test/support/store-files.js";

let admin: Admin;
let pki: Pki;
let ca: Issued;

beforeAll(async () => {
  [pki, ca] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makeCa()]);
  admin = await startAdmin();
});
afterAll(() => admin?.close());

const storeFile = () => storeText(admin.dir);

describe("POST /v1/batch", () => {
  it("applies nothing when one operation fails, and names it by index", async () => {
    expect((await admin.call("PUT", "/v1/endpoints/billing", { url: "https://billing.internal", path: "/billing" })).status).toBe(201);
    const before = await storeFile();
    const rev = admin.store.state().revision;
    const wrongKey = await leaf({ hosts: ["api.example.com"] });
    const cases: [unknown[], number, number, string, string | undefined][] = [
      [[{ op: "put", collection: "trusted", name: "billing-ca", body: { certificate: ca.pem } }, { op: "put", collection: "trust", name: "t", body: { alias: "nope", scope: "environment" } }], 1, 422, "reference-missing", "alias"],
      [[{ op: "put", collection: "trusted", name: "billing-ca", body: { certificate: ca.pem } }, { op: "put", collection: "certificates", name: "api", body: { chain: pki.chainPem, key: wrongKey.keyPem } }], 1, 422, "key-mismatch", "key"],
      [[{ op: "delete", collection: "endpoints", name: "billing" }, { op: "delete", collection: "endpoints", name: "billing" }], 1, 404, "not-found", undefined],
      [[{ op: "put", collection: "trusted", name: "a", body: { certificate: ca.pem } }, { op: "put", collection: "trusted", name: "A", body: { certificate: ca.pem } }], 1, 409, "alias-duplicate", "alias"],
      [[{ op: "put", collection: "endpoints", name: "x", body: { url: "https://x", path: "/x", bogus: true } }], 0, 422, "invalid", "bogus"],
    ];
    for (const [operations, index, status, code, field] of cases) {
      const r = await admin.call("POST", "/v1/batch", { operations });
      expect(r.status, code).toBe(status);
      expect(r.body.error, code).toMatchObject({ code, index, ...(field ? { field } : {}) });
      expect(await storeFile(), code).toBe(before);
      expect(admin.store.state().revision, code).toBe(rev);
    }
    const bad = await admin.call("POST", "/v1/batch", { operations: [{ op: "upsert", collection: "trusted", name: "x" }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("operations[0].op");
  });

  it("applies every operation in order in one revision", async () => {
    const rev = admin.store.state().revision;
    const r = await admin.call("POST", "/v1/batch", {
      operations: [
        { op: "put", collection: "trusted", name: "billing-ca", body: { certificate: ca.pem } },
        { op: "put", collection: "trust", name: "billing", body: { alias: "billing-ca", endpoint: "billing" } },
        { op: "put", collection: "certificates", name: "api", body: { chain: pki.chainPem, key: pki.leaf.keyPem } },
        { op: "put", collection: "jwks", name: "api", body: { source: { certificate: "api" } } },
        { op: "put", collection: "endpoints", name: "billing", body: { url: "https://billing.internal", path: "/billing" } },
      ],
    }, { "if-match": `"${rev}"` });
    expect(r.status).toBe(200);
    expect(r.headers.etag).toBe(`"${rev + 1}"`);
    expect(r.body.revision).toBe(rev + 1);
    expect(r.body.results.map((x: { status: number }) => x.status)).toEqual([201, 201, 201, 201, 200]);
    expect(r.body.results[4].item.trustedAliases).toEqual(["billing-ca"]);
    expect(r.text).not.toContain("PRIVATE KEY");
    const state = admin.store.state();
    expect(state.revision).toBe(rev + 1);
    expect([...state.jwks.values()].map((j) => j.updatedRevision)).toEqual([rev + 1]);

    // Dependents first, then what they depended on: one revision again.
    const del = await admin.call("POST", "/v1/batch", {
      operations: [
        { op: "delete", collection: "jwks", name: "api" },
        { op: "delete", collection: "certificates", name: "api" },
        { op: "delete", collection: "trust", name: "billing" },
        { op: "delete", collection: "trusted", name: "billing-ca" },
      ],
    });
    expect(del.status).toBe(200);
    expect(del.body.results[1].item.name).toBe("api");
    expect(admin.store.state().revision).toBe(rev + 2);
    expect([...admin.store.state().trusted.keys()]).toEqual([]);
  });

  it("answers 412 to a batch whose If-Match is stale", async () => {
    const r = await admin.call("POST", "/v1/batch", { operations: [{ op: "delete", collection: "endpoints", name: "billing" }] }, { "if-match": '"1"' });
    expect(r.status).toBe(412);
    expect(admin.store.state().endpoints.get("billing")).toBeDefined();
  });
});
