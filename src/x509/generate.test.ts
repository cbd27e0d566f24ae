import { describe, expect, it } from "vitest";
import { generateCertificate } from "./generate.js";
import { describeCertificate } from "./describe.js";
import { issuedBy } from "./chain-order.js";

describe("generateCertificate", () => {
  it("makes self-signed and issued certificates with every key type", async () => {
    const ca = await generateCertificate({ hosts: [], keyType: "ec-p384", subject: "CN=Gen CA, O=certform", isCA: true });
    expect(ca.certificate.ca).toBe(true);
    expect(describeCertificate(ca.certificate, new Date())).toMatchObject({ subject: "CN=Gen CA, O=certform", selfSigned: true, signatureAlgorithm: "ecdsa-with-SHA384" });
    for (const keyType of ["ec-p256", "rsa-2048"] as const) {
      const leaf = await generateCertificate({ hosts: ["a.example.com", "192.0.2.1"], keyType, issuer: ca, validityDays: 90 });
      expect(issuedBy(leaf.certificate, ca.certificate)).toBe(true);
      expect(leaf.certificate.checkPrivateKey(leaf.key)).toBe(true);
      expect(leaf.certificate.ca).toBe(false);
      const info = describeCertificate(leaf.certificate, new Date());
      expect(info).toMatchObject({ subject: "CN=a.example.com", sans: ["DNS:a.example.com", "IP:192.0.2.1"] });
      expect([89, 90]).toContain(info.daysLeft);
      expect(info.publicKey.type).toBe(keyType.startsWith("ec") ? "EC" : "RSA");
    }
  });

  it("writes a positive random serial", async () => {
    const a = await generateCertificate({ hosts: ["x"], keyType: "ec-p256" });
    const b = await generateCertificate({ hosts: ["x"], keyType: "ec-p256" });
    expect(a.certificate.serialNumber).not.toBe(b.certificate.serialNumber);
    expect(parseInt(a.certificate.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);
  });

  it("can leave out the SAN and sign with SHA-1 (for tests of the checks)", async () => {
    const g = await generateCertificate({ hosts: ["cn-only.example.com"], keyType: "rsa-1024", noSan: true, signatureHash: "SHA-1" });
    const info = describeCertificate(g.certificate, new Date());
    expect(info.sans).toEqual([]);
    expect(info.subject).toBe("CN=cn-only.example.com");
    expect(info.signatureAlgorithm).toBe("sha1WithRSAEncryption");
    expect(info.publicKey.bits).toBe(1024);
  });
});
