import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { daysAgo, daysFromNow, leaf, makePki, type Pki } from "../../test/support/pki.js";
import { describeCertificate, describeChain, describeKey } from "./describe.js";

let pki: Pki;
beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com", "10.0.0.1"] });
});

describe("describeCertificate", () => {
  it("gives the contract fields of a certificate", () => {
    const now = new Date();
    const info = describeCertificate(pki.leaf.certificate, now);
    expect(info.subject).toBe("CN=api.example.com");
    expect(info.issuer).toBe("CN=certform Test Intermediate CA, O=certform tests");
    expect(info.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(info.sans).toEqual(["DNS:api.example.com", "IP:10.0.0.1"]);
    expect(info.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(info.status).toBe("Active");
    expect(info.daysLeft).toBe(Math.floor((Date.parse(info.notAfter) - now.getTime()) / 86_400_000));
    expect(info.fingerprints.sha256).toBe(pki.leaf.certificate.fingerprint256);
    expect(info.fingerprints.sha1).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(info.publicKey).toMatchObject({ type: "EC", curve: "P-256", bits: 256 });
    expect(info.signatureAlgorithm).toBe("ecdsa-with-SHA256");
    expect(info.isCA).toBe(false);
    expect(info.selfSigned).toBe(false);
    expect(describeCertificate(pki.root.certificate, now)).toMatchObject({ isCA: true, selfSigned: true });
  });

  it("computes daysLeft and status for expired and not-yet-valid certificates", async () => {
    const now = new Date("2030-06-15T12:00:00Z");
    const expired = await leaf({ notBefore: new Date("2030-01-01T00:00:00Z"), notAfter: new Date("2030-06-10T12:00:00Z") });
    expect(describeCertificate(expired.certificate, now)).toMatchObject({ status: "Expired", daysLeft: -5 });
    const justExpired = await leaf({ notBefore: new Date("2030-01-01T00:00:00Z"), notAfter: new Date("2030-06-15T11:00:00Z") });
    expect(describeCertificate(justExpired.certificate, now)).toMatchObject({ status: "Expired", daysLeft: -1 });
    const future = await leaf({ notBefore: new Date("2030-07-01T00:00:00Z"), notAfter: new Date("2031-01-01T00:00:00Z") });
    expect(describeCertificate(future.certificate, now).status).toBe("NotYetValid");
    const info = describeCertificate(future.certificate, now);
    expect(info.notAfter).toBe("2031-01-01T00:00:00.000Z");
    expect(info.daysLeft).toBe(199);
  });

  it("names RSA keys with their size and SHA-1 signatures", async () => {
    const weak = await leaf({ keyType: "rsa-1024", signatureHash: "SHA-1" });
    const info = describeCertificate(weak.certificate, new Date());
    expect(info.publicKey).toMatchObject({ type: "RSA", bits: 1024 });
    expect(info.publicKey.curve).toBeUndefined();
    expect(info.signatureAlgorithm).toBe("sha1WithRSAEncryption");
  });

  it("escapes special and control characters in names", async () => {
    const odd = await leaf({ subject: "CN=a\\, b, O=x" });
    expect(describeCertificate(odd.certificate, new Date()).subject).toBe("CN=a\\, b, O=x");
  });
});

describe("describeChain", () => {
  it("reports which links verify", () => {
    const ok = describeChain([pki.leaf.certificate, pki.intermediate.certificate, pki.root.certificate], new Date());
    expect(ok.certificates).toHaveLength(3);
    expect(ok.links).toEqual([
      { from: 0, to: 1, verifies: true },
      { from: 1, to: 2, verifies: true },
    ]);
    const bad = describeChain([pki.leaf.certificate, pki.root.certificate], new Date());
    expect(bad.links[0]).toMatchObject({ verifies: false });
    expect(bad.links[0]!.reason).toMatch(/issuer name does not match/);
  });
});

describe("describeKey", () => {
  it("describes keys by type, size and public fingerprint only", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const info = describeKey(rsa);
    expect(info).toEqual({ type: "RSA", bits: 2048, fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(JSON.stringify(info)).not.toMatch(/PRIVATE|BEGIN/);
    expect(describeKey(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey)).toMatchObject({ type: "EC", curve: "P-384", bits: 384 });
    expect(describeKey(generateKeyPairSync("ed25519").privateKey)).toMatchObject({ type: "Ed25519" });
    // The public half of a key and the key itself have the same fingerprint.
    expect(describeKey(pki.leaf.certificate.publicKey).fingerprint256).toBe(describeKey(pki.leaf.key).fingerprint256);
  });
});

describe("generated validity", () => {
  it("honours notBefore/notAfter and validityDays", async () => {
    const a = await leaf({ notBefore: daysAgo(1), notAfter: daysFromNow(10.5) });
    expect(describeCertificate(a.certificate, new Date()).daysLeft).toBe(10);
    const before = Date.now();
    const b = await leaf({ validityDays: 30 });
    const notAfter = Date.parse(describeCertificate(b.certificate, new Date()).notAfter);
    expect(notAfter - before).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(notAfter - before).toBeLessThan(30 * 86_400_000 + 60_000);
  });
});
