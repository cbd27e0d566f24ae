import { createDecipheriv, createHash, pbkdf2Sync } from "node:crypto";
import { AsnIntegerArrayBufferConverter, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { declareFields, parseAs } from "../asn1.js";
import { MaterialError } from "../errors.js";
import { rc2CbcDecrypt } from "./rc2.js";

/**
 * Password-based decryption as PKCS#12 uses it: PBES2 (PBKDF2 + AES/3DES-CBC, what OpenSSL 3 writes)
 * and the PKCS#12 PBE schemes (SHA-1 KDF + 3DES or RC2, what older tools write).
 */

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; rc2Bits?: number } | undefined> = {
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyLength: 24 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyLength: 16 },
  "1.2.840.113549.1.12.1.5": { cipher: "rc2", keyLength: 16, rc2Bits: 128 },
  "1.2.840.113549.1.12.1.6": { cipher: "rc2", keyLength: 5, rc2Bits: 40 },
};
const PRF: Record<string, string> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { name: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { name: "des-ede3-cbc", keyLength: 24 },
};
export const HASHES: Record<string, { name: string; size: number; block: number }> = {
  // MD5 only ever as a PKCS#12 MAC: legacy, but still what `openssl pkcs12 -export -legacy -macalg md5` writes.
  "1.2.840.113549.2.5": { name: "md5", size: 16, block: 64 },
  "1.3.14.3.2.26": { name: "sha1", size: 20, block: 64 },
  "2.16.840.1.101.3.4.2.4": { name: "sha224", size: 28, block: 64 },
  "2.16.840.1.101.3.4.2.1": { name: "sha256", size: 32, block: 64 },
  "2.16.840.1.101.3.4.2.2": { name: "sha384", size: 48, block: 128 },
  "2.16.840.1.101.3.4.2.3": { name: "sha512", size: 64, block: 128 },
};

/** Passphrase encodings: PBES2 takes the UTF-8 bytes, the PKCS#12 KDF a NUL-terminated BMPString. */
export interface Password {
  utf8: Buffer;
  bmp: Buffer;
}

export function passwordCandidates(passphrase: string): Password[] {
  const utf8 = Buffer.from(passphrase, "utf8");
  const bmp = Buffer.concat([Buffer.from(passphrase, "utf16le").swap16(), Buffer.alloc(2)]);
  const out: Password[] = [{ utf8, bmp }];
  // OpenSSL writes an empty passphrase either as an empty BMPString or as no password at all.
  if (passphrase === "") out.push({ utf8, bmp: Buffer.alloc(0) });
  // OpenSSL 1.x widened each UTF-8 byte to one BMP character.
  if (/[^\x00-\x7f]/.test(passphrase)) {
    const widened = Buffer.alloc(utf8.length * 2 + 2);
    utf8.forEach((b, i) => (widened[2 * i + 1] = b));
    out.push({ utf8, bmp: widened });
  }
  return out;
}

/** RFC 7292 appendix B.2: the PKCS#12 key derivation. id 1 = key, 2 = IV, 3 = MAC key. */
export function pkcs12Kdf(hash: { name: string; size: number; block: number }, password: Buffer, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const v = hash.block;
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let A = createHash(hash.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash.name).update(A).digest();
    out.push(A);
    produced += A.length;
    if (produced >= length) break;
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % A.length]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

function unsupported(what: string): MaterialError {
  return new MaterialError(
    "pkcs12-unsupported",
    `the PKCS#12 bundle uses ${what}, which certform cannot read`,
    "re-export it with AES: openssl pkcs12 -in OLD.p12 -nodes | openssl pkcs12 -export -out NEW.p12 (OpenSSL 3 defaults to AES-256)",
  );
}

const MAX_ITERATIONS = 10_000_000;

/** An INTEGER's value from its two's-complement octets; undefined when negative or beyond 2^48. */
export function integerOf(bytes: ArrayBuffer | undefined): number | undefined {
  const view = new Uint8Array(bytes ?? new ArrayBuffer(0));
  if (view.length === 0 || view.length > 7 || (view[0]! & 0x80) !== 0) return undefined;
  return view.reduce((n, b) => n * 256 + b, 0);
}

function iterationsOf(bytes: ArrayBuffer): number {
  const n = integerOf(bytes);
  if (n === undefined || n < 1 || n > MAX_ITERATIONS) throw unsupported(`an iteration count out of range (${n ?? "huge"})`);
  return n;
}

/** RFC 7292 appendix C: pkcs-12PbeParams. */
class Pkcs12PbeParams {
  salt = new OctetString();
  iterations = new ArrayBuffer(0);
}
declareFields(Pkcs12PbeParams, {
  salt: { type: OctetString },
  iterations: { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter },
});

/** RFC 8018 appendix A.4: PBES2-params. */
export class Pbes2Params {
  keyDerivationFunc = new AlgorithmIdentifier();
  encryptionScheme = new AlgorithmIdentifier();
}
declareFields(Pbes2Params, { keyDerivationFunc: { type: AlgorithmIdentifier }, encryptionScheme: { type: AlgorithmIdentifier } });

/** RFC 8018 appendix A.2: PBKDF2-params, with the salt specified (the only form in use). */
class Pbkdf2Params {
  salt = new OctetString();
  iterationCount = new ArrayBuffer(0);
  keyLength?: ArrayBuffer;
  prf?: AlgorithmIdentifier;
}
declareFields(Pbkdf2Params, {
  salt: { type: OctetString },
  iterationCount: { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter },
  keyLength: { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter, optional: true },
  prf: { type: AlgorithmIdentifier, optional: true },
});

/** Parameters read with `schema`, or `what` is reported as unsupported. */
function paramsOf<T>(alg: AlgorithmIdentifier, schema: new () => T, what: string): T {
  try {
    if (!alg.parameters) throw new Error("no parameters");
    return parseAs(alg.parameters, schema);
  } catch {
    throw unsupported(what);
  }
}

/**
 * Decrypts `data` with the scheme named by the AlgorithmIdentifier `alg`. Throws a plain Error on
 * a padding failure (usually a wrong passphrase) and MaterialError for unsupported schemes.
 */
export function pbeDecrypt(alg: AlgorithmIdentifier, data: Buffer, password: Password): Buffer {
  const oid = alg.algorithm;
  const legacy = PKCS12_PBE[oid];
  if (legacy) {
    const params = paramsOf(alg, Pkcs12PbeParams, "PBE parameters it cannot read");
    const iterations = iterationsOf(params.iterations);
    const salt = Buffer.from(params.salt.buffer);
    const sha1 = HASHES["1.3.14.3.2.26"]!;
    const key = pkcs12Kdf(sha1, password.bmp, salt, 1, iterations, legacy.keyLength);
    const iv = pkcs12Kdf(sha1, password.bmp, salt, 2, iterations, 8);
    if (legacy.rc2Bits) return rc2CbcDecrypt(key, legacy.rc2Bits, iv, data);
    const decipher = createDecipheriv(legacy.cipher, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
  if (oid === PBES2) {
    const { keyDerivationFunc: kdf, encryptionScheme: scheme } = paramsOf(alg, Pbes2Params, "PBES2 parameters it cannot read");
    if (kdf.algorithm !== PBKDF2) throw unsupported(`a PBES2 key derivation other than PBKDF2 (${kdf.algorithm})`);
    const kp = paramsOf(kdf, Pbkdf2Params, "PBKDF2 parameters it cannot read");
    const iterations = iterationsOf(kp.iterationCount);
    const prfOid = kp.prf?.algorithm ?? "1.2.840.113549.2.7";
    const digest = PRF[prfOid];
    if (!digest) throw unsupported(`PBKDF2 with PRF ${prfOid}`);
    const cipher = CIPHERS[scheme.algorithm];
    if (!cipher) throw unsupported(`PBES2 with cipher ${scheme.algorithm}`);
    const iv = Buffer.from(paramsOf(scheme, OctetString, `PBES2 with cipher ${scheme.algorithm} without an IV`).buffer);
    if (iv.length !== (cipher.name === "des-ede3-cbc" ? 8 : 16)) throw unsupported(`PBES2 with an IV of ${iv.length} bytes`);
    const key = pbkdf2Sync(password.utf8, Buffer.from(kp.salt.buffer), iterations, cipher.keyLength, digest);
    const decipher = createDecipheriv(cipher.name, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
  if (oid === "1.2.840.113549.1.12.1.1" || oid === "1.2.840.113549.1.12.1.2") throw unsupported("RC4 encryption");
  throw unsupported(`the encryption scheme ${oid || "(unreadable)"}`);
}
