import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEchoes, secretOf } from "../../../test/support/key-echoes.js";
import { makeCa, makePki, type Issued, type Pki } from "../../../test/support/pki.js";
import { fingerprintKey } from "../../x509/index.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";
import { storeText } from "../../../test/support/store-files.js";

let admin: Admin;
let pki: Pki;
let pki2: Pki;
let ca: Issued;

beforeAll(async () => {
  [pki, pki2, ca] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makePki({ hosts: ["api.example.com"] }), makeCa()]);
  admin = await startAdmin();
});
afterAll(() => admin?.close());

const revision = () => admin.store.state().revision;
const noKeys = (text: string) => {
  expect(text).not.toContain("PRIVATE KEY");
  for (const k of [pki.leaf, pki2.leaf]) expect(keyEchoes(text, secretOf(k.key))).toEqual([]);
};

describe("collections: create, read, replace, delete", () => {
  it("stores a certificate and never returns its key; an identical PUT changes nothing", async () => {
    const put = await admin.call("PUT", "/v1/certificates/api", { chain: pki.chainPem, key: pki.leaf.keyPem, labels: { "certform.dev/stack": "s" } });
    expect(put.status).toBe(201);
    expect(put.headers.etag).toBe(`"${revision()}"`);
    expect(put.body).toMatchObject({
      name: "api",
      hosts: ["api.example.com"],
      default: false,
      fingerprint256: pki.leaf.certificate.fingerprint256,
      keyFingerprint256: fingerprintKey(pki.leaf.key),
      generated: false,
      labels: { "certform.dev/stack": "s" },
      updatedRevision: revision(),
    });
    const rev = revision();
    const again = await admin.call("PUT", "/v1/certificates/api", { chain: pki.chainPem, key: pki.leaf.keyPem, labels: { "certform.dev/stack": "s" } });
    expect(again.status).toBe(200);
    expect(revision()).toBe(rev);
    expect(again.headers.etag).toBe(`"${rev}"`);

    const replaced = await admin.call("PUT", "/v1/certificates/api", { chain: pki2.chainPem, key: pki2.leaf.keyPem, default: true });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ default: true, fingerprint256: pki2.leaf.certificate.fingerprint256, updatedRevision: rev + 1, labels: {} });

    const one = await admin.call("GET", "/v1/certificates/api");
    const list = await admin.call("GET", "/v1/certificates");
    const status = await admin.call("GET", "/v1/status");
    expect(one.headers.etag).toBe(`"${rev + 1}"`);
    expect(list.body).toMatchObject({ revision: rev + 1, items: [{ name: "api" }] });
    expect(status.body).toMatchObject({ node: "node-1", environment: "test", revision: rev + 1, certificates: [{ name: "api", hosts: ["api.example.com"], fingerprint256: pki2.leaf.certificate.fingerprint256, default: true }], lock: null });
    for (const r of [put, again, replaced, one, list, status]) noKeys(r.text);
    // The key is in the store's files (the node serves with it), and only there.
    expect(await storeText(admin.dir)).toContain("PRIVATE KEY");

    const del = await admin.call("DELETE", "/v1/certificates/api");
    expect(del.status).toBe(200);
    expect(del.body.name).toBe("api");
    noKeys(del.text);
    expect((await admin.call("GET", "/v1/certificates/api")).status).toBe(404);
    expect((await admin.call("DELETE", "/v1/certificates/api")).status).toBe(404);
  });

  it("keeps trusted aliases unique without case", async () => {
    expect((await admin.call("PUT", "/v1/trusted/billing", { certificate: ca.pem })).status).toBe(201);
    const dup = await admin.call("PUT", "/v1/trusted/Billing", { certificate: ca.pem });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: "alias-duplicate", field: "alias" });
    const posted = await admin.call("POST", "/v1/trusted", { alias: "BILLING", certificate: ca.pem });
    expect(posted.body.error.code).toBe("alias-duplicate");
    const view = await admin.call("GET", "/v1/trusted/billing");
    expect(view.body).toMatchObject({ alias: "billing", fingerprint256: ca.certificate.fingerprint256, certificate: ca.pem });
  });

  it("creates with POST only when the name is free", async () => {
    const r = await admin.call("POST", "/v1/endpoints", { name: "orders", url: "https://orders.internal:8443", path: "/orders" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "orders", trustedAliases: [] });
    const again = await admin.call("POST", "/v1/endpoints", { name: "orders", url: "https://orders.internal:8443", path: "/orders2" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("exists");
    const dupPath = await admin.call("PUT", "/v1/endpoints/orders-v2", { url: "https://orders.internal:8443", path: "/orders/" });
    expect(dupPath.status).toBe(409);
    expect(dupPath.body.error).toMatchObject({ code: "path-duplicate", field: "path" });
  });

  it("binds trust and derives each endpoint's trusted aliases from the bindings", async () => {
    const t = await admin.call("PUT", "/v1/trust/orders-billing", { alias: "billing", endpoint: "orders" });
    expect(t.status).toBe(201);
    expect(t.body).toEqual({ name: "orders-billing", alias: "billing", endpoint: "orders", labels: {}, updatedRevision: revision() });
    const clients = await admin.call("POST", "/v1/trust", { name: "partners", alias: "billing", scope: "clients", hosts: ["api.example.com"], required: false });
    expect(clients.status).toBe(201);
    expect(clients.body).toMatchObject({ scope: "clients", hosts: ["api.example.com"], required: false });
    // scope clients with an endpoint: mutual TLS for that endpoint's routes, not its backend's trust.
    const routeClients = await admin.call("PUT", "/v1/trust/orders-partners", { alias: "billing", scope: "clients", endpoint: "orders" });
    expect(routeClients.status).toBe(201);
    expect(routeClients.body).toMatchObject({ alias: "billing", scope: "clients", endpoint: "orders" });
    expect((await admin.call("GET", "/v1/endpoints/orders")).body.trustedAliases).toEqual(["billing"]);
    expect((await admin.call("GET", "/v1/trust")).body.items.map((i: { name: string }) => i.name)).toEqual(["orders-billing", "orders-partners", "partners"]);
    const ghost = await admin.call("PUT", "/v1/trust/ghost-clients", { alias: "billing", scope: "clients", endpoint: "no-such-endpoint" });
    expect(ghost.body.error).toMatchObject({ code: "reference-missing", field: "endpoint" });
    expect((await admin.call("DELETE", "/v1/trust/orders-partners")).status).toBe(200);
  });

  it("refuses to delete what is in use, naming the referrer", async () => {
    const alias = await admin.call("DELETE", "/v1/trusted/billing");
    expect(alias.status).toBe(409);
    expect(alias.body.error.code).toBe("in-use");
    expect(alias.body.error.message).toMatch(/trust binding "orders-billing"/);
    const endpoint = await admin.call("DELETE", "/v1/endpoints/orders");
    expect(endpoint.status).toBe(409);
    expect(endpoint.body.error.message).toMatch(/orders-billing/);
    expect((await admin.call("DELETE", "/v1/trust/orders-billing")).status).toBe(200);
    expect((await admin.call("DELETE", "/v1/endpoints/orders")).status).toBe(200);
    expect((await admin.call("GET", "/v1/trust/orders-billing")).status).toBe(404);
  });

  it("answers 412 when If-Match names a revision that moved, quoted or not", async () => {
    const etag = (await admin.call("GET", "/v1/endpoints")).headers.etag as string;
    const ok = await admin.call("PUT", "/v1/endpoints/e1", { url: "http://127.0.0.1:1", path: "/e1" }, { "if-match": etag });
    expect(ok.status).toBe(201);
    const stale = await admin.call("PUT", "/v1/endpoints/e1", { url: "http://127.0.0.1:2", path: "/e1" }, { "if-match": etag.replace(/"/g, "") });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: "revision-moved", revision: revision() });
    expect((await admin.call("DELETE", "/v1/endpoints/e1", undefined, { "if-match": etag })).status).toBe(412);
    expect((await admin.call("GET", "/v1/endpoints/e1")).body.url).toBe("http://127.0.0.1:1");
    expect((await admin.call("PUT", "/v1/endpoints/e1", { url: "http://127.0.0.1:2", path: "/e1" }, { "if-match": ok.headers.etag as string })).status).toBe(200);
    expect((await admin.call("PUT", "/v1/endpoints/e1", { url: "http://127.0.0.1:2", path: "/e1" }, { "if-match": "seven" })).status).toBe(400);
  });
});
