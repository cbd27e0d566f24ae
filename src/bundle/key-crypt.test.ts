import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sniffDer, parsePemBlocks } from "../x509/index.js";
import { encryptKeyPem } from "./key-crypt.js";

describe("encryptKeyPem", () => {
  for (const [type, opts] of [["ec", { namedCurve: "P-256" }], ["rsa", { modulusLength: 2048 }]] as const) {
    it(`${type}: opens with the passphrase (node/OpenSSL), is the same bytes twice, differs per passphrase`, () => {
      const { privateKey } = generateKeyPairSync(type as "ec", opts as { namedCurve: string });
      const pem = encryptKeyPem(privateKey, "correct horse", 1000);
      const blocks = parsePemBlocks(pem);
      expect(blocks.map((b) => b.label)).toEqual(["ENCRYPTED PRIVATE KEY"]);
      expect(sniffDer(blocks[0]!.der!)).toBe("encrypted-pkcs8");
      expect(encryptKeyPem(privateKey, "correct horse", 1000)).toBe(pem);
      expect(encryptKeyPem(privateKey, "another one", 1000)).not.toBe(pem);
      const opened = createPrivateKey({ key: pem, format: "pem", passphrase: "correct horse" });
      expect(opened.export({ format: "jwk" })).toEqual(privateKey.export({ format: "jwk" }));
      expect(() => createPrivateKey({ key: pem, format: "pem", passphrase: "wrong" })).toThrow();
    });
  }

  it("refuses an empty passphrase", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(() => encryptKeyPem(privateKey, "")).toThrow(/empty passphrase/);
  });
});
