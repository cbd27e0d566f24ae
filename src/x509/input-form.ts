/**
 * Describing input by its form only. Input may be a private key in the wrong place, so no message
 * built here ever contains any of its content: no leading characters, no leading bytes, no excerpt.
 * Size, shape and what the structure decodes to are all a message may say.
 */
import { readBer } from "./asn1.js";
import { describeKind, sniffDer, splitDerSequence, type MaterialKind } from "./der-sniff.js";
import { strictBase64 } from "./pem.js";

/** "1 day", "3 days". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${Math.abs(n) === 1 ? singular : pluralForm}`;
}

/** Text when the data is text; undefined when it is binary (DER or worse). */
export function asText(data: Buffer | string): string | undefined {
  if (typeof data === "string") return data;
  if (data.length === 0) return "";
  // "0" is also ASCII text, so only well-formed DER counts as binary here.
  if (data[0] === 0x30 && (readBer(data) || splitDerSequence(data))) return undefined;
  const text = data.toString("utf8");
  // NUL bytes or invalid UTF-8 mean binary; a UTF-8 BOM is harmless.
  if (text.includes("\0") || text.includes("\uFFFD")) return undefined;
  return text.replace(/^\uFEFF/, "");
}

/** What text without PEM armour decodes to when it is base64 of DER; undefined when it is not. */
export function bareBase64Kind(text: string): MaterialKind | undefined {
  const der = strictBase64(text.replace(/\s+/g, ""));
  if (!der || der.length === 0 || der[0] !== 0x30) return undefined;
  return sniffDer(der);
}

/**
 * "text with no PEM block, 121 characters, that looks like bare base64 of a private key (DER
 * without PEM armour)". Never quotes the text.
 */
export function describeText(text: string): string {
  const trimmed = text.trim();
  const size = plural([...trimmed].length, "character");
  const kind = bareBase64Kind(trimmed);
  if (kind !== undefined) {
    const what = kind === "unknown" ? "DER data of an unknown kind" : describeKind(kind);
    return `text with no PEM block, ${size}, that looks like bare base64 of ${what} (DER without PEM armour)`;
  }
  if (/^[A-Za-z0-9+/=\r\n]+$/.test(trimmed) && trimmed.length >= 16) return `text with no PEM block, ${size}, that looks like base64 but does not decode to DER`;
  const lines = trimmed.split(/\r?\n/).length;
  return `text with no PEM block, ${size}${lines > 1 ? ` on ${lines} lines` : ""}`;
}

/** "binary data of 121 bytes that is neither PEM nor DER"; a few containers are named by their magic. */
export function describeBinary(data: Buffer): string {
  if (data.length >= 4 && data.readUInt32BE(0) === 0xfeedfeed) return "a Java KeyStore (JKS)";
  if (data[0] === 0x50 && data[1] === 0x4b) return "a ZIP archive";
  if (data[0] === 0x1f && data[1] === 0x8b) return "gzip-compressed data";
  if (data[0] === 0x30) return `binary data of ${plural(data.length, "byte")} that looks like DER but is not a certificate, key, CSR or PKCS#12 bundle`;
  return `binary data of ${plural(data.length, "byte")} that is neither PEM nor DER`;
}

const KEY_FORMATS: Partial<Record<MaterialKind, string>> = { pkcs8: "PKCS#8", pkcs1: "PKCS#1 (RSA)", sec1: "SEC1 (EC)" };
const LABELS: Partial<Record<MaterialKind, string>> = {
  certificate: "CERTIFICATE",
  csr: "CERTIFICATE REQUEST",
  crl: "X509 CRL",
  spki: "PUBLIC KEY",
  "rsa-public": "RSA PUBLIC KEY",
  pkcs7: "PKCS7",
};

/**
 * How to armour bare base64 of a kind. For keys the way is an openssl command rather than the
 * armour lines, so that no hint ever spells out a private-key PEM header (which output scanners and
 * tests rightly treat as a sign of key material).
 */
export function armourHint(kind: MaterialKind): string {
  const keyFormat = KEY_FORMATS[kind];
  if (keyFormat) {
    return `add PEM armour: base64 -d FILE | openssl pkey -inform DER -out key.pem (the key is ${keyFormat} DER); or decode it with base64 -d and give the DER file as it is`;
  }
  if (kind === "encrypted-pkcs8") {
    return "decode it with base64 -d and give the DER file as it is, with passphrase: (it is an encrypted PKCS#8 key)";
  }
  const label = LABELS[kind];
  if (label) return `add the -----BEGIN ${label}----- and -----END ${label}----- lines around it, or decode it with base64 -d to a DER file`;
  return "provide it as PEM or DER";
}

/**
 * The stable code of a library error (e.g. ERR_OSSL_UNSUPPORTED), for messages that must not carry
 * OpenSSL's internal text.
 */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^[A-Z0-9_]+$/.test(code) ? code : "no error code";
}

/**
 * The label of the first BEGIN line, whatever its characters ("X9.42 DH PARAMETERS"), cut to 64
 * characters: for saying what a file is when no block of it is one certform reads.
 */
export function firstPemLabel(text: string): string {
  const m = text.match(/-----BEGIN ([^\r\n]{0,64}?)-----/);
  return m ? m[1]! : "(no label)";
}
