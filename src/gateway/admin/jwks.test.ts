import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEchoes, secretOf } from "../../../test/support/key-echoes.js";
import { makeCa, makePki, type Issued, type Pki } from "../../../test/support/pki.js";
import { jwkThumbprint } from "../../x509/index.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";

let admin: Admin;
let pki: Pki;
let pki2: Pki;
let ca: Issued;

beforeAll(async () => {
  [pki, pki2, ca] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makePki({ hosts: ["api.example.com"] }), makeCa()]);
  admin = await startAdmin();
});
afterAll(() => admin?.close());

const noKeys = (text: string) => {
  expect(text).not.toContain("PRIVATE KEY");
  for (const k of [pki.leaf, pki2.leaf]) expect(keyEchoes(text, secretOf(k.key))).toEqual([]);
};

describe("JWKs", () => {
  it("derives a JWK from a certificate whose public key it is, links it, and follows the certificate", async () => {
    expect((await admin.call("PUT", "/v1/certificates/signing", { chain: pki.chainPem, key: pki.leaf.keyPem })).status).toBe(201);
    const r = await admin.call("PUT", "/v1/jwks/signing", { source: { certificate: "signing" }, use: "sig" });
    expect(r.status).toBe(201);
    const jwk = r.body.jwk;
    expect(createPublicKey({ key: jwk, format: "jwk" }).equals(pki.leaf.certificate.publicKey)).toBe(true);
    expect(r.body).toMatchObject({ kid: jwkThumbprint(jwk), use: "sig", alg: "ES256", source: { certificate: "signing" } });
    expect(jwk.x5c[0]).toBe(pki.leaf.der.toString("base64"));
    noKeys(r.text);

    const inUse = await admin.call("DELETE", "/v1/certificates/signing");
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toMatch(/JWK "signing"/);

    // A replaced certificate takes its linked JWK along, in the same revision.
    const replaced = await admin.call("PUT", "/v1/certificates/signing", { chain: pki2.chainPem, key: pki2.leaf.keyPem });
    const followed = (await admin.call("GET", "/v1/jwks/signing")).body;
    expect(createPublicKey({ key: followed.jwk, format: "jwk" }).equals(pki2.leaf.certificate.publicKey)).toBe(true);
    expect(followed.kid).toBe(jwkThumbprint(followed.jwk));
    expect(followed.updatedRevision).toBe(replaced.body.updatedRevision);
  });

  it("keeps a given public JWK, with its thumbprint as kid, and refuses a duplicate kid", async () => {
    const pub = createPublicKey(ca.key).export({ format: "jwk" });
    const r = await admin.call("PUT", "/v1/jwks/external", { jwk: pub, use: "enc" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kid: jwkThumbprint(pub), use: "enc", source: null });
    const dup = await admin.call("PUT", "/v1/jwks/external-2", { jwk: pub });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("kid-duplicate");
    expect((await admin.call("PUT", "/v1/jwks/external-2", { jwk: pub, kid: "second" })).status).toBe(201);
  });
});
