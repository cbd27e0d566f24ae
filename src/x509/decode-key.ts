import { createPrivateKey, type KeyObject } from "node:crypto";
import { EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { TAG, childrenOf, isUniversal, readBer, tryParseAs } from "./asn1.js";
import { quoteValue } from "../model/redact.js";
import { kindOfPemLabel, sniffDer } from "./der-sniff.js";
import { ecKeyFromPkcs8, ecKeyFromSec1 } from "./ec-key-jwk.js";
import { MaterialError } from "./errors.js";
import { asText, describeBinary, errorCode, firstPemLabel } from "./input-form.js";
import { PemError, derToPem, looksLikePem, parsePemBlocks, type PemBlock } from "./pem.js";
import { keyNotPem, notAKey } from "./wrong-material.js";
import { Pbes2Params } from "./pkcs12/pbe.js";

const KEY_LABELS = new Set(["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY"]);

/**
 * A private key from PEM (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, legacy encrypted PEM) or DER.
 * In a PEM file that also holds certificates (a combined cert+key file), the one key block is used.
 * Error messages describe the input by its form only: never a character or byte of it.
 */
export function decodePrivateKey(data: Buffer | string, passphrase?: string): KeyObject {
  const text = asText(data);
  if (text === undefined) return fromDer(data as Buffer, passphrase);
  if (text.trim() === "") throw new MaterialError("empty", "the key input is empty", "point at a PEM or DER private key file");
  if (!looksLikePem(text)) throw keyNotPem(text);
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
    const label = blocks[0]?.label ?? firstPemLabel(text);
    if (label === "OPENSSH PRIVATE KEY") {
      throw new MaterialError(
        "undecodable",
        "this is an OpenSSH private key, which TLS does not use",
        "convert it with `ssh-keygen -p -m PKCS8 -f FILE`, or use the key the certificate was issued for",
      );
    }
    throw notAKey(kindOfPemLabel(label), `PEM ${quoteValue(label)}`);
  }
  const encrypted = block.label === "ENCRYPTED PRIVATE KEY" || (block.headers["Proc-Type"] ?? "").includes("ENCRYPTED");
  const fast = encrypted || !block.der ? undefined : block.label === "PRIVATE KEY" ? ecKeyFromPkcs8(block.der) : block.label === "EC PRIVATE KEY" ? ecKeyFromSec1(block.der) : undefined;
  if (fast) return fast;
  return load({ key: block.text, format: "pem" }, encrypted, passphrase, block.label === "ENCRYPTED PRIVATE KEY" ? block.der : undefined);
}

function fromDer(der: Buffer, passphrase: string | undefined): KeyObject {
  if (der.length === 0) throw new MaterialError("empty", "the key input is empty", "point at a PEM or DER private key file");
  const kind = sniffDer(der);
  switch (kind) {
    case "pkcs8":
      return ecKeyFromPkcs8(der) ?? load({ key: der, format: "der", type: "pkcs8" }, false, passphrase);
    case "encrypted-pkcs8":
      return load({ key: der, format: "der", type: "pkcs8" }, true, passphrase, der);
    case "pkcs1":
      // Node reads DER PKCS#1 for RSA only; a traditional DSA key (six INTEGERs) goes through its PEM form.
      if (isTraditionalDsa(der)) return load({ key: derToPem(der, "DSA PRIVATE KEY"), format: "pem" }, false, passphrase);
      return load({ key: der, format: "der", type: "pkcs1" }, false, passphrase);
    case "sec1":
      return ecKeyFromSec1(der) ?? load({ key: der, format: "der", type: "sec1" }, false, passphrase);
    case "unknown":
      throw new MaterialError("undecodable", `this is ${describeBinary(der)}`, "provide the private key as PEM or DER (PKCS#8, PKCS#1 or SEC1)");
    default:
      throw notAKey(kind, "DER");
  }
}

type LoadInput =
  | { key: string; format: "pem" }
  | { key: Buffer; format: "der"; type: "pkcs8" | "pkcs1" | "sec1" };

function isTraditionalDsa(der: Buffer): boolean {
  const items = childrenOf(readBer(der));
  return items.length === 6 && items.every((i) => isUniversal(i, TAG.INTEGER));
}

// What OpenSSL says when it does not know the scheme, as opposed to a decryption that fails.
const UNSUPPORTED_CODES = new Set([
  "ERR_OSSL_EVP_UNKNOWN_PBE_ALGORITHM",
  "ERR_OSSL_EVP_UNSUPPORTED",
  "ERR_OSSL_EVP_UNSUPPORTED_CIPHER",
  "ERR_OSSL_EVP_UNKNOWN_CIPHER",
  "ERR_OSSL_EVP_UNSUPPORTED_ALGORITHM",
  "ERR_OSSL_EVP_UNSUPPORTED_KEY_DERIVATION_FUNCTION",
  "ERR_OSSL_EVP_UNSUPPORTED_PRF",
  "ERR_OSSL_EVP_UNSUPPORTED_KEYLENGTH",
]);

const PBES2 = "1.2.840.113549.1.5.13";

/** "OID 1.2.3" of an encrypted PKCS#8 key's scheme; for PBES2 also its key derivation and cipher. */
function encryptionOf(der: Buffer): string | undefined {
  const info = tryParseAs(der, EncryptedPrivateKeyInfo);
  if (!info) return undefined;
  const alg = info.encryptionAlgorithm;
  if (alg.algorithm !== PBES2 || !alg.parameters) return `OID ${alg.algorithm}`;
  const params = tryParseAs(alg.parameters, Pbes2Params);
  return `PBES2 with key derivation OID ${params?.keyDerivationFunc.algorithm ?? "?"} and cipher OID ${params?.encryptionScheme.algorithm ?? "?"}`;
}

function load(input: LoadInput, encrypted: boolean, passphrase: string | undefined, pkcs8Der?: Buffer): KeyObject {
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
    if (encrypted && UNSUPPORTED_CODES.has(errorCode(err))) {
      const scheme = pkcs8Der ? encryptionOf(pkcs8Der) : undefined;
      throw new MaterialError(
        "key-unsupported",
        `the private key is encrypted with ${scheme ? `an algorithm certform (OpenSSL) does not support: ${scheme}` : "an algorithm certform (OpenSSL) does not support"}`,
        "re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out key.pem (OpenSSL's default)",
        { cause: err },
      );
    }
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
      `this looks like a private key but cannot be read (${errorCode(err)})`,
      "re-export the key as PKCS#8 PEM (openssl pkey -in KEY -out key.pem)",
      { cause: err },
    );
  }
}
