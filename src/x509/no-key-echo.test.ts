import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { keyEchoes } from "../../test/support/key-echoes.js";
import { keyToDer } from "../../test/support/pki.js";
import { decodeBase64 } from "./base64.js";
import { decodeCertificates } from "./decode-certificates.js";
import { decodePrivateKey } from "./decode-key.js";
import { MaterialError } from "./errors.js";
import { decodePkcs12 } from "./pkcs12/pkcs12.js";

function failure(fn: () => unknown): MaterialError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MaterialError);
    return err as MaterialError;
  }
  throw new Error("expected a MaterialError");
}

const wrap = (b64: string): string => `${b64.match(/.{1,64}/g)!.join("\n")}\n`;

let ec: KeyObject;
let rsa: KeyObject;
beforeAll(() => {
  ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
});

interface Case {
  name: string;
  input: string | Buffer;
  der: Buffer;
}

function bareBase64Cases(): Case[] {
  const keys: [string, Buffer][] = [
    ["PKCS#8 EC", keyToDer(ec)],
    ["SEC1 EC", keyToDer(ec, { format: "sec1" })],
    ["PKCS#8 RSA", keyToDer(rsa)],
    ["PKCS#1 RSA", keyToDer(rsa, { format: "pkcs1" })],
  ];
  return keys.flatMap(([name, der]) => [
    { name: `bare base64 ${name} on one line`, input: der.toString("base64"), der },
    { name: `bare base64 ${name} in 64-character lines, as a Buffer`, input: Buffer.from(wrap(der.toString("base64"))), der },
  ]);
}

function truncatedDerCases(): Case[] {
  const keys: [string, Buffer][] = [
    ["PKCS#8 EC", keyToDer(ec)],
    ["SEC1 EC", keyToDer(ec, { format: "sec1" })],
    ["PKCS#1 RSA", keyToDer(rsa, { format: "pkcs1" })],
  ];
  // 6 bytes off a PKCS#8 key leaves a buffer that starts with a SEQUENCE again.
  return keys.flatMap(([name, der]) => [1, 2, 3, 4, 6].map((n) => ({ name: `${name} DER missing its first ${n} bytes`, input: der.subarray(n), der })));
}

describe("no decoder ever echoes key material", () => {
  it("the check itself catches the echoes decoders used to print", () => {
    const der = keyToDer(ec, { format: "sec1" });
    expect(keyEchoes(`it starts with "${der.toString("base64").slice(0, 10)}"`, der)).not.toEqual([]);
    const hex = [...der.subarray(2, 10)].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" ");
    expect(keyEchoes(`starts with bytes ${hex}`, der)).not.toEqual([]);
    expect(keyEchoes(`decoded ${der.subarray(5).toString("base64").slice(4, 16)}`, der)).not.toEqual([]);
  });

  it("decodeCertificates describes a bare base64 key by form, refuses it as a key, and shows none of it", () => {
    for (const c of bareBase64Cases()) {
      const e = failure(() => decodeCertificates(c.input));
      expect(keyEchoes(`${e.message}\n${e.hint}`, c.der), c.name).toEqual([]);
      expect(e.code, c.name).toBe("key-not-certificate");
      expect(e.message, c.name).toMatch(/^this is text with no PEM block, \d+ characters, that looks like bare base64 of a private key \(DER without PEM armour\), where a certificate was expected$/);
    }
  });

  it("decodePrivateKey says a bare base64 key needs PEM armour, and shows none of it", () => {
    for (const c of bareBase64Cases()) {
      const e = failure(() => decodePrivateKey(c.input));
      expect(keyEchoes(`${e.message}\n${e.hint}`, c.der), c.name).toEqual([]);
      expect(e.code, c.name).toBe("undecodable");
      expect(e.message, c.name).toMatch(/text with no PEM block, \d+ characters, that looks like bare base64 of a private key/);
      expect(e.hint, c.name).toMatch(/^add PEM armour: base64 -d FILE \| openssl pkey -inform DER -out key\.pem \(the key is (PKCS#8|PKCS#1 \(RSA\)|SEC1 \(EC\)) DER\)/);
      // No hint spells out a private-key PEM header.
      expect(`${e.message}${e.hint}`, c.name).not.toContain("PRIVATE KEY");
    }
    expect(failure(() => decodePrivateKey(keyToDer(ec, { format: "sec1" }).toString("base64"))).hint).toMatch(/SEC1 \(EC\) DER/);
  });

  it("decodeCertificates, decodePrivateKey and decodePkcs12 describe a damaged DER key by size only", () => {
    for (const c of truncatedDerCases()) {
      const input = c.input as Buffer;
      for (const e of [failure(() => decodeCertificates(input)), failure(() => decodePrivateKey(input)), failure(() => decodePkcs12(input, "pw"))]) {
        expect(keyEchoes(`${e.message}\n${e.hint}`, c.der), `${c.name}: ${e.message}`).toEqual([]);
        expect(e.code).toBe("undecodable");
      }
      expect(failure(() => decodePrivateKey(input)).message, c.name).toMatch(new RegExp(`^this is binary data of ${input.length} bytes that (is neither PEM nor DER|looks like DER but is not a certificate, key, CSR or PKCS#12 bundle)$`));
    }
  });

  it("decodeBase64 names a bad character by code point, and a key inside valid base64 never shows", () => {
    const der = keyToDer(ec);
    const b64 = der.toString("base64");
    const e = failure(() => decodeBase64(`${b64.slice(0, 40)}!${b64.slice(40)}`, "BASE64PEM"));
    expect(keyEchoes(`${e.message}\n${e.hint}`, der)).toEqual([]);
    const mismatch = failure(() => decodeBase64(b64, "BASE64PEM"));
    expect(keyEchoes(`${mismatch.message}\n${mismatch.hint}`, der)).toEqual([]);
  });

  it("plain text is described by size, never quoted", () => {
    const e = failure(() => decodePrivateKey("my secret passphrase is hunter2\n"));
    expect(e.message).toBe("this is text with no PEM block, 31 characters");
    expect(failure(() => decodeCertificates("line one\nline two\n")).message).toBe("this is text with no PEM block, 17 characters on 2 lines");
  });
});
