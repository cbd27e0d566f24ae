import { createPrivateKey, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEchoes, secretOf } from "../../../test/support/key-echoes.js";
import { makeCa, makePki, type Issued, type Pki } from "../../../test/support/pki.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";

let admin: Admin;
let pki: Pki;
let ca: Issued;

beforeAll(async () => {
  [pki, ca] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makeCa()]);
  admin = await startAdmin();
});
afterAll(() => admin?.close());

const noKeys = (text: string, keys: KeyObject[]) => {
  expect(text).not.toContain("PRIVATE KEY");
  for (const k of keys) expect(keyEchoes(text, secretOf(k))).toEqual([]);
};
/** The generated key, as only the node has it. */
const storedKey = (name: string) => createPrivateKey(admin.store.state().certificates.get(name)!.keyPem);

describe("generate", () => {
  it("makes a self-signed certificate or one issued by a given CA; the key stays on the node", async () => {
    const self = await admin.call("PUT", "/v1/certificates/gen", { generate: { hosts: ["*.dev.example.com"], keyType: "ec-p384", validityDays: 30 } });
    expect(self.status).toBe(201);
    expect(self.body).toMatchObject({ hosts: ["*.dev.example.com"], generated: true, subject: "CN=*.dev.example.com" });
    expect(Date.parse(self.body.notAfter) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(self.body.chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);

    const issued = await admin.call("PUT", "/v1/certificates/gen2", { generate: { hosts: ["a.example.com", "10.0.0.1"], subject: "A, O=Evil", issuer: { chain: ca.pem, key: ca.keyPem } } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ hosts: ["a.example.com", "10.0.0.1"], subject: "CN=A\\, O=Evil", issuer: ca.certificate.subject.replace(/\n/g, ", ").split(", ").reverse().join(", ") });
    expect(issued.body.chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    for (const r of [self, issued, await admin.call("GET", "/v1/certificates"), await admin.call("GET", "/metrics")]) noKeys(r.text, [ca.key, storedKey("gen"), storedKey("gen2")]);
    expect(storedKey("gen2").asymmetricKeyDetails?.namedCurve).toBe("prime256v1");

    const notCa = await admin.call("PUT", "/v1/certificates/gen3", { generate: { hosts: ["a.example.com"], issuer: { chain: pki.leaf.pem, key: pki.leaf.keyPem } } });
    expect(notCa.body.error).toMatchObject({ code: "issuer-not-ca", field: "generate.issuer.chain" });
    const badHost = await admin.call("PUT", "/v1/certificates/gen3", { generate: { hosts: ["a..example.com"] } });
    expect(badHost.body.error).toMatchObject({ code: "host-invalid", field: "generate.hosts[0]" });
  });
});
