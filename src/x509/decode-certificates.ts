import { X509Certificate } from "node:crypto";
import { quoteValue } from "../model/redact.js";
import { readBer } from "./asn1.js";
import { certFields } from "./cert-fields.js";
import { kindOfPemLabel, sniffDer, splitDerSequence, PRIVATE_KEY_KINDS } from "./der-sniff.js";
import { MaterialError, isMaterialError } from "./errors.js";
import { asText, describeBinary, errorCode, firstPemLabel } from "./input-form.js";
import { PemError, looksLikePem, parsePemBlocks } from "./pem.js";
import { pkcs7Certificates } from "./pkcs7.js";
import { certificateNotPem, notACertificate } from "./wrong-material.js";

export interface DecodeCertificatesOptions {
  /**
   * Accept a PEM that holds a private key next to the certificates (a combined cert+key file) and
   * return just the certificates. Default false: such input is refused with 'key-in-certificate',
   * because a key must never travel where certificates are shown, stored or exported.
   */
  allowPrivateKey?: boolean;
}

/**
 * Certificates from PEM (any number of blocks, any line ends, text around them) or DER (one
 * certificate, several concatenated, or a PKCS#7 bundle), told apart by content. A private key
 * block next to the certificates is refused unless `allowPrivateKey` is set; decodePrivateKey
 * reads it. Error messages describe the input by its form only, never by its content.
 */
export function decodeCertificates(data: Buffer | string, opts: DecodeCertificatesOptions = {}): X509Certificate[] {
  const text = asText(data);
  if (text === undefined) return fromDer(data as Buffer);
  if (text.trim() === "") throw new MaterialError("empty", "the input is empty", "point at a PEM or DER certificate file");
  if (!looksLikePem(text)) throw certificateNotPem(text);

  let blocks;
  try {
    blocks = parsePemBlocks(text);
  } catch (err) {
    if (err instanceof PemError) throw new MaterialError("undecodable", err.message, "check that the file was copied whole");
    throw err;
  }
  const certs: X509Certificate[] = [];
  let keys = 0;
  blocks.forEach((block, i) => {
    const kind = kindOfPemLabel(block.label);
    if (PRIVATE_KEY_KINDS.has(kind)) keys++;
    if (kind === "pkcs7" && block.der) certs.push(...fromPkcs7(block.der));
    if (kind !== "certificate" || !block.der) return;
    const der = block.label === "TRUSTED CERTIFICATE" ? trustedCertificateBody(block.der) : block.der;
    certs.push(parseCertificate(der, `PEM block ${i + 1} (${block.label})`));
  });
  if (certs.length > 0 && keys > 0 && !opts.allowPrivateKey) {
    throw new MaterialError(
      "key-in-certificate",
      `this holds a private key as well as ${certs.length === 1 ? "a certificate" : "certificates"}`,
      "keep only the certificates here and give the key its own source (key: { file: … } or { env: … }); a private key is never written inline",
    );
  }
  if (certs.length > 0) return certs;
  const label = blocks[0]?.label ?? firstPemLabel(text);
  throw notACertificate(kindOfPemLabel(label), `PEM ${quoteValue(label)}`);
}

function fromDer(der: Buffer): X509Certificate[] {
  if (der.length === 0) throw new MaterialError("empty", "the input is empty", "point at a PEM or DER certificate file");
  const kind = sniffDer(der);
  if (kind === "certificate") return [parseCertificate(der, "the DER data")];
  if (kind === "pkcs7") return fromPkcs7(der);
  if (kind === "unknown") {
    const parts = splitDerSequence(der);
    if (parts && parts.length > 1 && parts.every((p) => sniffDer(p) === "certificate")) {
      return parts.map((p, i) => parseCertificate(p, `DER certificate ${i + 1}`));
    }
    throw new MaterialError("undecodable", `this is ${describeBinary(der)}`, "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER");
  }
  throw notACertificate(kind, "DER");
}

// The same intermediate behind thousands of leaves is parsed once. Bounded, since the gateway decodes
// every chain it is sent for as long as it runs; X509Certificate objects are immutable, so sharing is safe.
const recent = new Map<string, X509Certificate>();
const RECENT_MAX = 512;

function parseCertificate(der: Buffer, where: string): X509Certificate {
  const id = der.toString("base64");
  const hit = recent.get(id);
  if (hit) return hit;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    throw new MaterialError(
      "undecodable",
      `${where} looks like a certificate but cannot be parsed (${errorCode(err)})`,
      "re-export the certificate; the file may be truncated or corrupted",
      { cause: err },
    );
  }
  try {
    // What OpenSSL parses but no client accepts (a time that is no time, a malformed SAN) is refused here,
    // at the source, rather than surfacing later as a check that silently passes or a crash.
    certFields(cert);
  } catch (err) {
    if (isMaterialError(err)) throw new MaterialError(err.code, `${where}: ${err.message}`, err.hint);
    throw err;
  }
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(id, cert);
  return cert;
}

/** OpenSSL's TRUSTED CERTIFICATE is a certificate followed by trust settings: keep the certificate. */
function trustedCertificateBody(der: Buffer): Buffer {
  const first = readBer(der) ? undefined : splitDerSequence(der)?.[0];
  return first ?? der;
}

/** The certificates of a PKCS#7 SignedData (a .p7b), in the order stored. */
function fromPkcs7(der: Buffer): X509Certificate[] {
  let certs: Buffer[];
  try {
    // A SignedData may also hold attribute certificates ([1], [2]): only X.509 certificates are read.
    certs = pkcs7Certificates(der).filter((c) => c[0] === 0x30);
  } catch {
    throw new MaterialError("undecodable", "this is a PKCS#7 bundle that cannot be read (truncated or damaged?)", "export the certificates as PEM");
  }
  if (certs.length === 0) {
    throw new MaterialError("undecodable", "this is a PKCS#7 bundle that holds no certificates", "export the certificates as PEM");
  }
  return certs.map((c, i) => parseCertificate(c, `PKCS#7 certificate ${i + 1}`));
}
