import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEchoes, secretOf } from "../../../test/support/key-echoes.js";
import { daysAgo, issue, leaf, makeCa, makePki, toPem, type Issued, type Pki } from "../../../test/support/pki.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";
import { storeText } from "../../../test/support/store-files.js";

let admin: Admin;
let pki: Pki;
let ca: Issued;
let other: Issued;

beforeAll(async () => {
  [pki, ca, other] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makeCa(), leaf({ hosts: ["api.example.com"] })]);
  admin = await startAdmin();
  // Something stored already, so "unchanged" means more than "still empty".
  expect((await admin.call("PUT", "/v1/trusted/corp", { certificate: ca.pem })).status).toBe(201);
});
afterAll(() => admin?.close());

const storeFile = () => storeText(admin.dir);

describe("every invalid object is refused with a clear error and the store unchanged", () => {
  it("refuses bad certificates with the code, field and message of certform validate", async () => {
    const expired = await issue({ issuer: pki.intermediate, hosts: ["api.example.com"], notBefore: daysAgo(30), notAfter: daysAgo(1) });
    const noSan = await issue({ issuer: pki.intermediate, noSan: true, subject: "CN=api.example.com" });
    const cases: [string, Record<string, unknown>, number, string, string, RegExp][] = [
      ["mismatched key", { chain: pki.chainPem, key: other.keyPem }, 422, "key-mismatch", "key", /does not belong/],
      ["expired", { chain: toPem([expired.certificate, pki.intermediate.certificate]), key: expired.keyPem }, 422, "expired", "chain", /expired on/],
      ["no SAN", { chain: toPem([noSan.certificate, pki.intermediate.certificate]), key: noSan.keyPem }, 422, "no-san", "chain", /subjectAltName/],
      ["broken chain", { chain: toPem([pki.leaf.certificate, ca.certificate]), key: pki.leaf.keyPem }, 422, "chain-order", "chain", /chain breaks/],
      ["host not covered", { chain: pki.chainPem, key: pki.leaf.keyPem, hosts: ["api.example.com", "www.example.com"] }, 422, "host-not-covered", "hosts[1]", /www\.example\.com/],
      ["invalid host", { chain: pki.chainPem, key: pki.leaf.keyPem, hosts: ["bad host"] }, 422, "host-invalid", "hosts[0]", /white space/],
      ["key in the chain", { chain: pki.chainPem + pki.leaf.keyPem, key: pki.leaf.keyPem }, 422, "key-in-certificate", "chain", /private key/],
      ["not PEM", { chain: "hello", key: pki.leaf.keyPem }, 422, "not-pem", "chain", /./],
      ["chain without key", { chain: pki.chainPem }, 422, "key-missing", "key", /without its private key/],
      ["both sources", { chain: pki.chainPem, key: pki.leaf.keyPem, generate: { hosts: ["a.example.com"] } }, 422, "certificate-source", "generate", /not both/],
      ["no source", {}, 422, "certificate-source", "generate", /chain and key, or generate/],
      ["unknown field", { chain: pki.chainPem, key: pki.leaf.keyPem, extra: 1 }, 422, "invalid", "extra", /unknown field "extra"/],
      ["wrong type", { chain: pki.chainPem, key: pki.leaf.keyPem, hosts: [1] }, 422, "invalid", "hosts[0]", /expected string/],
    ];
    for (const [what, body, status, code, field, message] of cases) {
      const before = await storeFile();
      const r = await admin.call("PUT", "/v1/certificates/api", body);
      expect(r.status, what).toBe(status);
      if (code !== "not-pem") expect(r.body.error.code, what).toBe(code);
      expect(r.body.error.field, what).toBe(field);
      expect(r.body.error.message, what).toMatch(message);
      expect(r.text, what).not.toContain("PRIVATE KEY");
      for (const k of [other, pki.leaf, expired, noSan]) expect(keyEchoes(r.text, secretOf(k.key)), what).toEqual([]);
      expect(await storeFile(), what).toBe(before);
    }
    expect(admin.store.state().revision).toBe(1);
    expect((await admin.call("GET", "/v1/certificates")).body.items).toEqual([]);
  });

  it("refuses bad trusted certificates, endpoints, trust bindings and JWKs", async () => {
    const expiredCa = await makeCa({ notBefore: daysAgo(30), notAfter: daysAgo(2) });
    const cases: [string, string, unknown, number, string, string | undefined][] = [
      ["expired CA", "/v1/trusted/old", { certificate: expiredCa.pem }, 422, "expired", "certificate"],
      ["two certificates", "/v1/trusted/two", { certificate: pki.chainPem }, 422, "certificate-multiple", "certificate"],
      ["a key as certificate", "/v1/trusted/k", { certificate: ca.keyPem }, 422, "not-a-certificate", "certificate"],
      ["bad alias", "/v1/trusted/a%20b", { certificate: ca.pem }, 422, "name-invalid", "name"],
      ["ftp endpoint", "/v1/endpoints/e", { url: "ftp://x.example.com/", path: "/e" }, 422, "url-invalid", "url"],
      ["bad path", "/v1/endpoints/e", { url: "https://x.example.com/", path: "e" }, 422, "invalid", "path"],
      ["dotdot path", "/v1/endpoints/e", { url: "https://x.example.com/", path: "/a/../b" }, 422, "path-invalid", "path"],
      ["missing alias", "/v1/trust/t", { alias: "nope", scope: "environment" }, 422, "reference-missing", "alias"],
      ["missing endpoint", "/v1/trust/t", { alias: "corp", endpoint: "nope" }, 422, "reference-missing", "endpoint"],
      ["no target", "/v1/trust/t", { alias: "corp" }, 422, "trust-target", "endpoint"],
      ["two targets", "/v1/trust/t", { alias: "corp", endpoint: "x", scope: "environment" }, 422, "trust-target", "scope"],
      ["an endpoint with scope management", "/v1/trust/t", { alias: "corp", endpoint: "x", scope: "management" }, 422, "trust-target", "scope"],
      ["hosts outside clients", "/v1/trust/t", { alias: "corp", scope: "environment", hosts: ["a.example.com"] }, 422, "trust-clients-only", "hosts"],
      ["no JWK source", "/v1/jwks/j", { use: "sig" }, 422, "jwk-source", "source"],
      ["private JWK", "/v1/jwks/j", { jwk: ca.key.export({ format: "jwk" }) }, 422, "jwk-private", "jwk"],
      ["garbage JWK", "/v1/jwks/j", { jwk: { kty: "EC", crv: "P-256", x: "AA", y: "BB" } }, 422, "jwk-invalid", "jwk"],
      ["misspelt source", "/v1/jwks/j", { source: { certificat: "x" } }, 422, "invalid", "source"],
      ["missing certificate", "/v1/jwks/j", { source: { certificate: "nope" } }, 422, "reference-missing", "source.certificate"],
    ];
    for (const [what, path, body, status, code, field] of cases) {
      const before = await storeFile();
      const r = await admin.call("PUT", path, body);
      expect(r.status, what).toBe(status);
      if (code !== "not-a-certificate") expect(r.body.error.code, what).toBe(code);
      expect(r.body.error.field, what).toBe(field);
      expect(r.body.error.message.length, what).toBeGreaterThan(10);
      expect(keyEchoes(r.text, secretOf(ca.key)), what).toEqual([]);
      expect(await storeFile(), what).toBe(before);
    }
  });

  it("answers 400 to a body that is not JSON, without quoting it", async () => {
    const r = await admin.call("PUT", "/v1/trusted/x", `{"certificate": "${ca.keyPem.replace(/\n/g, "")}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalid-json");
    expect(keyEchoes(r.text, secretOf(ca.key))).toEqual([]);
  });
});
