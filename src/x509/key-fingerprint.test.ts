import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certFields } from "./cert-fields.js";
import { fingerprintKey } from "./fingerprint.js";
import { generateCertificate, type KeyType } from "./generate.js";

// The plan reads a key's fingerprint from the certificate's own SubjectPublicKeyInfo bytes instead of
// exporting the key: both must name the same key, or a plan would look stale against what it just read.
describe("the key fingerprint read from a certificate", () => {
  for (const keyType of ["ec-p256", "ec-p384", "rsa-2048"] as KeyType[]) {
    it(`equals the exported key's for ${keyType}`, async () => {
      const { certificate, key } = await generateCertificate({ hosts: ["a.example.com"], keyType, validityDays: 10 });
      expect(certFields(certificate).keyFingerprint256).toBe(fingerprintKey(certificate.publicKey));
      expect(certFields(certificate).keyFingerprint256).toBe(fingerprintKey(key));
    });
  }

  it("is remembered per key object and still tells keys apart", () => {
    const a = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const b = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(fingerprintKey(a)).toBe(fingerprintKey(a));
    expect(fingerprintKey(a)).toBe(fingerprintKey(createPublicKey(a)));
    expect(fingerprintKey(a)).not.toBe(fingerprintKey(b));
  });
});
