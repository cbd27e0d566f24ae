import { createPrivateKey, type KeyObject } from "node:crypto";
import { asText } from "./decode-certificates.js";
import { describeBinary, describeKind, kindOfPemLabel, sniffDer, type MaterialKind } from "./der-sniff.js";
import { MaterialError } from "./errors.js";
import { PemError, looksLikePem, parsePemBlocks, type PemBlock } from "./pem.js";

const KEY_LABELS = new Set(["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY"]);

/**
 * A private key from PEM (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, legacy encrypted PEM) or DER.
 * In a PEM file that also holds certificates (a combined cert+key file), the one key block is used.
 */
export function decodePrivateKey(data: Buffer | string, passphrase?: string): KeyObject {
  const text = asText(data);
  if (text === undefined) return fromDer(data as Buffer, passphrase);
  if (text.trim() === "") throw new MaterialError("empty", "the key input is empty", "point at a PEM or DER private key file");
  if (!looksLikePem(text)) {
    throw new MaterialError(
      "undecodable",
      `this is text with no PEM block (it starts with ${JSON.stringify(text.trim().slice(0, 32))})`,
      "provide the private key as PEM (-----BEGIN PRIVATE KEY-----) or DER",
    );
  }
  let blocks: PemBlock[];
  try {
    blocks = parsePemBlocks(text);
  } catch (err) {
    if (err instanceof PemError) throw new MaterialError("undecodable", err.message, "check that the key file was copied whole");
    throw err;
  }
  const keys = blocks.filter((b) => KEY_LABELS.has(b.label));
  if (keys.length > 1) {
    throw new MaterialError("key-multiple", `this holds ${keys.length} private keys; exactly one is expected`, "split the file so that it holds one key");
  }
  const block = keys[0];
  if (!block) {
    const label = blocks[0]!.label;
    if (label === "OPENSSH PRIVATE KEY") {
      throw new MaterialError(
        "undecodable",
        "this is an OpenSSH private key, which TLS does not use",
        "convert it with `ssh-keygen -p -m PKCS8 -f FILE`, or use the key the certificate was issued for",
      );
    }
    throw notAKey(kindOfPemLabel(label), `PEM "${label}"`);
  }
  const encrypted = block.label === "ENCRYPTED PRIVATE KEY" || (block.headers["Proc-Type"] ?? "").includes("ENCRYPTED");
  return load({ key: block.text, format: "pem" }, encrypted, passphrase);
}

function fromDer(der: Buffer, passphrase: string | undefined): KeyObject {
  if (der.length === 0) throw new MaterialError("empty", "the key input is empty", "point at a PEM or DER private key file");
  const kind = sniffDer(der);
  switch (kind) {
    case "pkcs8":
      return load({ key: der, format: "der", type: "pkcs8" }, false, passphrase);
    case "encrypted-pkcs8":
      return load({ key: der, format: "der", type: "pkcs8" }, true, passphrase);
    case "pkcs1":
      return load({ key: der, format: "der", type: "pkcs1" }, false, passphrase);
    case "sec1":
      return load({ key: der, format: "der", type: "sec1" }, false, passphrase);
    case "unknown":
      throw new MaterialError(
        "undecodable",
        der[0] === 0x30 ? "this is DER data, but not a private key" : `this is ${describeBinary(der)}`,
        "provide the private key as PEM (-----BEGIN PRIVATE KEY-----) or DER",
      );
    default:
      throw notAKey(kind, "DER");
  }
}

type LoadInput =
  | { key: string; format: "pem" }
  | { key: Buffer; format: "der"; type: "pkcs8" | "pkcs1" | "sec1" };

function load(input: LoadInput, encrypted: boolean, passphrase: string | undefined): KeyObject {
  if (encrypted && passphrase === undefined) {
    throw new MaterialError(
      "key-passphrase-required",
      "the private key is encrypted and no passphrase was given",
      "add passphrase: ${env:VAR} next to the key source (or --passphrase-env VAR on the command line)",
    );
  }
  try {
    return createPrivateKey(encrypted ? { ...input, passphrase } : input);
  } catch (err) {
    if (encrypted) {
      throw new MaterialError(
        "key-passphrase",
        "the passphrase does not decrypt the private key (wrong passphrase?)",
        "check the value of the passphrase variable",
        { cause: err },
      );
    }
    throw new MaterialError(
      "undecodable",
      `this looks like a private key but cannot be read: ${(err as Error).message}`,
      "re-export the key as PKCS#8 PEM (openssl pkey -in KEY -out key.pem)",
      { cause: err },
    );
  }
}

function notAKey(kind: MaterialKind | string, seen: string): MaterialError {
  switch (kind) {
    case "certificate":
      return new MaterialError(
        "certificate-not-key",
        "this is a certificate where a private key was expected",
        "point key: at the private key file that belongs to the certificate",
      );
    case "csr":
      return new MaterialError(
        "csr-not-key",
        "this is a certificate request (CSR) where a private key was expected",
        "use the private key the CSR was generated with",
      );
    case "spki":
    case "rsa-public":
      return new MaterialError(
        "public-key-not-private",
        "this is a public key where a private key was expected",
        "use the private key; the public key alone cannot serve TLS",
      );
    case "pkcs12":
      return new MaterialError(
        "pkcs12-not-key",
        "this is a PKCS#12 (.p12/.pfx) bundle, not a PEM or DER key",
        "use { pkcs12: PATH, passphrase: ${env:VAR} } as the key source",
      );
    default:
      return new MaterialError(
        "undecodable",
        `this is ${describeKind(kind)} (${seen}), not a private key`,
        "provide the private key as PEM (-----BEGIN PRIVATE KEY-----) or DER",
      );
  }
}
