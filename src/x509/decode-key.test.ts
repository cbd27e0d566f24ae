import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { exportPkcs12, keyToDer, keyToPem, leaf, makeCsrPem, type Issued } from "../../test/support/pki.js";
import { decodePrivateKey } from "./decode-key.js";
import { fingerprintKey } from "./fingerprint.js";
import { materialError } from "../../test/support/material-error.js";

let ec: Issued;
let rsa: KeyObject;
beforeAll(async () => {
  ec = await leaf({ hosts: ["key.example.com"] });
  rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
});

const same = (a: KeyObject, b: KeyObject): void => expect(fingerprintKey(a)).toBe(fingerprintKey(b));

describe("decodePrivateKey", () => {
  it("reads PKCS#8 PEM and DER", () => {
    same(decodePrivateKey(ec.keyPem), ec.key);
    same(decodePrivateKey(keyToDer(ec.key)), ec.key);
    same(decodePrivateKey(keyToPem(rsa)), rsa);
  });

  it("reads PKCS#1 (RSA PRIVATE KEY) PEM and DER", () => {
    const pem = keyToPem(rsa, { format: "pkcs1" });
    expect(pem).toContain("BEGIN RSA PRIVATE KEY");
    same(decodePrivateKey(pem), rsa);
    same(decodePrivateKey(keyToDer(rsa, { format: "pkcs1" })), rsa);
  });

  it("reads SEC1 (EC PRIVATE KEY) PEM, also with an EC PARAMETERS block, and DER", () => {
    const pem = keyToPem(ec.key, { format: "sec1" });
    expect(pem).toContain("BEGIN EC PRIVATE KEY");
    same(decodePrivateKey(pem), ec.key);
    same(decodePrivateKey(`-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${pem}`), ec.key);
    same(decodePrivateKey(keyToDer(ec.key, { format: "sec1" })), ec.key);
  });

  it("reads encrypted PKCS#8 with the right passphrase (PEM and DER)", () => {
    same(decodePrivateKey(keyToPem(ec.key, { passphrase: "right" }), "right"), ec.key);
    same(decodePrivateKey(keyToDer(ec.key, { passphrase: "right" }), "right"), ec.key);
  });

  it("says when the passphrase is missing or wrong", () => {
    for (const input of [keyToPem(ec.key, { passphrase: "right" }), keyToDer(ec.key, { passphrase: "right" })]) {
      const missing = materialError(() => decodePrivateKey(input));
      expect(missing.code).toBe("key-passphrase-required");
      expect(missing.message).toMatch(/encrypted and no passphrase/);
      const wrong = materialError(() => decodePrivateKey(input, "wrong"));
      expect(wrong.code).toBe("key-passphrase");
      expect(wrong.message).toMatch(/wrong passphrase/);
    }
  });

  it("reads legacy encrypted PEM (Proc-Type: 4,ENCRYPTED)", () => {
    const pem = keyToPem(rsa, { format: "pkcs1", passphrase: "right" });
    expect(pem).toContain("Proc-Type: 4,ENCRYPTED");
    same(decodePrivateKey(pem, "right"), rsa);
    expect(materialError(() => decodePrivateKey(pem)).code).toBe("key-passphrase-required");
    expect(materialError(() => decodePrivateKey(pem, "wrong")).code).toBe("key-passphrase");
  });

  it("takes the one key out of a combined certificate + key file", () => {
    same(decodePrivateKey(ec.pem + ec.keyPem), ec.key);
  });

  it("refuses two keys in one file", () => {
    expect(materialError(() => decodePrivateKey(ec.keyPem + keyToPem(rsa))).code).toBe("key-multiple");
  });

  it("says a certificate is not a key (PEM and DER)", () => {
    for (const input of [ec.pem, ec.der]) {
      const e = materialError(() => decodePrivateKey(input));
      expect(e.code).toBe("certificate-not-key");
      expect(e.message).toBe("this is a certificate where a private key was expected");
    }
  });

  it("says a CSR is not a key", async () => {
    const csr = await makeCsrPem();
    expect(materialError(() => decodePrivateKey(csr)).code).toBe("csr-not-key");
  });

  it("says a public key is not a private key (PEM, DER, RSA PUBLIC KEY)", () => {
    const pub = ec.certificate.publicKey;
    const inputs = [
      pub.export({ type: "spki", format: "pem" }) as string,
      pub.export({ type: "spki", format: "der" }),
      generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "pkcs1", format: "pem" }) as string,
    ];
    for (const input of inputs) expect(materialError(() => decodePrivateKey(input)).code).toBe("public-key-not-private");
  });

  it("says a PKCS#12 bundle needs the pkcs12 source", async () => {
    const p12 = await exportPkcs12({ leaf: ec, passphrase: "pw" });
    expect(materialError(() => decodePrivateKey(readFileSync(p12))).code).toBe("pkcs12-not-key");
  });

  it("explains OpenSSH keys, text and junk", () => {
    const openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    const e = materialError(() => decodePrivateKey(openssh));
    expect(e.code).toBe("undecodable");
    expect(e.hint).toMatch(/ssh-keygen -p -m PKCS8/);
    const text = materialError(() => decodePrivateKey("not a key"));
    expect(text).toMatchObject({ code: "undecodable", message: "this is text with no PEM block, 9 characters" });
    const junk = materialError(() => decodePrivateKey(Buffer.from([1, 2, 3, 4, 0xff])));
    expect(junk).toMatchObject({ code: "undecodable", message: "this is binary data of 5 bytes that is neither PEM nor DER" });
    expect(materialError(() => decodePrivateKey("")).code).toBe("empty");
  });

  it("reports a corrupted key body as undecodable, without OpenSSL's internal text", () => {
    const body = keyToDer(ec.key);
    const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.concat([body.subarray(0, 20), Buffer.alloc(10)]).toString("base64")}\n-----END PRIVATE KEY-----\n`;
    const e = materialError(() => decodePrivateKey(pem));
    expect(e.code).toBe("undecodable");
    expect(e.message).toMatch(/^this looks like a private key but cannot be read \([A-Z0-9_ a-z]+\)$/);
    expect(e.message).not.toMatch(/routines|error:/);
  });

  it("says a bare base64 key needs PEM armour, with the right label", () => {
    const cases: [string, RegExp][] = [
      [keyToDer(ec.key).toString("base64"), /openssl pkey -inform DER .*PKCS#8 DER/],
      [keyToDer(ec.key, { format: "sec1" }).toString("base64"), /openssl pkey -inform DER .*SEC1 \(EC\) DER/],
      [keyToDer(rsa, { format: "pkcs1" }).toString("base64"), /openssl pkey -inform DER .*PKCS#1 \(RSA\) DER/],
      [keyToDer(ec.key, { passphrase: "pw" }).toString("base64"), /base64 -d .*with passphrase: \(it is an encrypted PKCS#8 key\)/],
    ];
    for (const [input, label] of cases) {
      const e = materialError(() => decodePrivateKey(input));
      expect(e.message).toMatch(/looks like bare base64 of (a|an encrypted) private key \(DER without PEM armour\)/);
      expect(e.hint).toMatch(label);
    }
    expect(materialError(() => decodePrivateKey(ec.der.toString("base64"))).code).toBe("certificate-not-key");
  });
});
