import { createCipheriv, createHmac, pbkdf2Sync, type KeyObject } from "node:crypto";
import { derToPem } from "../x509/index.js";

// Keys travel in bundles only encrypted: PKCS#8 EncryptedPrivateKeyInfo with PBES2 (PBKDF2-HMAC-SHA256,
// AES-256-CBC), what `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes and every PKCS#8 reader opens. Node's own
// export picks a random salt and IV, so the same key would give other bytes at every export; here both come
// from an HMAC of the key under the passphrase. The same key and passphrase give the same file (that is what
// makes exports repeatable); other keys or passphrases give unrelated salts and IVs. What an observer learns
// is only whether two bundles sealed with one passphrase hold the same key.

export const KEY_ITERATIONS = 600_000;

const OID = {
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
};

/** PEM "ENCRYPTED PRIVATE KEY" of `key`, deterministic for one key and passphrase. */
export function encryptKeyPem(key: KeyObject, passphrase: string, iterations = KEY_ITERATIONS): string {
  if (passphrase === "") throw new Error("an empty passphrase does not protect a key");
  const plain = key.export({ type: "pkcs8", format: "der" });
  const derive = (label: string) => createHmac("sha256", passphrase).update(`certform bundle ${label}\u0000`).update(plain).digest().subarray(0, 16);
  const salt = derive("salt");
  const iv = derive("iv");
  const aesKey = pbkdf2Sync(Buffer.from(passphrase, "utf8"), salt, iterations, 32, "sha256");
  const cipher = createCipheriv("aes-256-cbc", aesKey, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const prf = seq(oid(OID.hmacWithSha256), tlv(0x05, Buffer.alloc(0)));
  const kdf = seq(oid(OID.pbkdf2), seq(tlv(0x04, salt), int(iterations), prf));
  const scheme = seq(oid(OID.aes256Cbc), tlv(0x04, iv));
  const info = seq(seq(oid(OID.pbes2), seq(kdf, scheme)), tlv(0x04, encrypted));
  return derToPem(info, "ENCRYPTED PRIVATE KEY");
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : lengthBytes(n);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

function lengthBytes(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

function int(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const out = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const b: number[] = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}
