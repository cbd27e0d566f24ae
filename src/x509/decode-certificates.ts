import { X509Certificate } from "node:crypto";
import { TAG, children, parseDer, whole } from "./der.js";
import { describeBinary, describeKind, kindOfPemLabel, sniffDer, splitDerSequence, PRIVATE_KEY_KINDS } from "./der-sniff.js";
import { MaterialError } from "./errors.js";
import { PemError, looksLikePem, parsePemBlocks, strictBase64 } from "./pem.js";

/**
 * Certificates from PEM (any number of blocks, any line ends, text around them) or DER (one
 * certificate, several concatenated, or a PKCS#7 bundle), told apart by content. Other PEM blocks
 * next to certificates (a key in a combined file) are ignored here; decodePrivateKey reads those.
 */
export function decodeCertificates(data: Buffer | string): X509Certificate[] {
  const text = asText(data);
  if (text === undefined) return fromDer(data as Buffer);
  if (text.trim() === "") throw new MaterialError("empty", "the input is empty", "point at a PEM or DER certificate file");
  if (!looksLikePem(text)) throw notPem(text);

  let blocks;
  try {
    blocks = parsePemBlocks(text);
  } catch (err) {
    if (err instanceof PemError) throw new MaterialError("undecodable", err.message, "check that the file was copied whole");
    throw err;
  }
  const certs: X509Certificate[] = [];
  blocks.forEach((block, i) => {
    const kind = kindOfPemLabel(block.label);
    if (kind === "pkcs7" && block.der) certs.push(...fromPkcs7(block.der));
    if (kind !== "certificate" || !block.der) return;
    certs.push(parseCertificate(trustedCertificateBody(block.der), `PEM block ${i + 1} (${block.label})`));
  });
  if (certs.length > 0) return certs;
  throw notACertificate(kindOfPemLabel(blocks[0]!.label), `PEM "${blocks[0]!.label}"`);
}

/** Text when the data is text; undefined when it is binary (DER or worse). */
export function asText(data: Buffer | string): string | undefined {
  if (typeof data === "string") return data;
  if (data.length === 0) return "";
  // "0" is also ASCII text, so only well-formed DER counts as binary here.
  if (data[0] === 0x30 && (parseDer(data, true) || splitDerSequence(data))) return undefined;
  const text = data.toString("utf8");
  // NUL bytes or invalid UTF-8 mean binary; a UTF-8 BOM is harmless.
  if (text.includes("\0") || text.includes("\uFFFD")) return undefined;
  return text.replace(/^\uFEFF/, "");
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
    throw new MaterialError(
      "undecodable",
      der[0] === 0x30 ? "this is DER data, but not a certificate, key, CSR or PKCS#12 bundle" : `this is ${describeBinary(der)}`,
      "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER",
    );
  }
  throw notACertificate(kind, "DER");
}

function parseCertificate(der: Buffer, where: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw new MaterialError(
      "undecodable",
      `${where} looks like a certificate but cannot be parsed: ${(err as Error).message}`,
      "re-export the certificate; the file may be truncated or corrupted",
      { cause: err },
    );
  }
}

/** OpenSSL's TRUSTED CERTIFICATE is a certificate followed by trust settings: keep the certificate. */
function trustedCertificateBody(der: Buffer): Buffer {
  const first = parseDer(der) ? undefined : splitDerSequence(der)?.[0];
  return first ?? der;
}

/** The certificates of a PKCS#7 SignedData (a .p7b), in the order stored. */
function fromPkcs7(der: Buffer): X509Certificate[] {
  const top = parseDer(der, true);
  const explicit = top && children(top, true)[1];
  const signedData = explicit && children(explicit, true)[0];
  const certSet = signedData && children(signedData, true).find((t) => t.tag === 0xa0);
  const certs = certSet ? children(certSet, true).filter((t) => t.tag === TAG.SEQUENCE) : [];
  if (certs.length === 0) {
    throw new MaterialError("undecodable", "this is a PKCS#7 bundle that holds no certificates", "export the certificates as PEM");
  }
  return certs.map((t, i) => parseCertificate(whole(t), `PKCS#7 certificate ${i + 1}`));
}

export function notACertificate(kind: string, seen: string): MaterialError {
  if (kind === "csr") {
    return new MaterialError(
      "csr-not-certificate",
      "this is a certificate request (CSR), not a certificate",
      "submit the CSR to your CA and use the certificate it issues",
    );
  }
  if (PRIVATE_KEY_KINDS.has(kind)) {
    return new MaterialError(
      "key-not-certificate",
      "this is a private key where a certificate was expected",
      "point certificate: at the certificate file and key: at this key file",
    );
  }
  if (kind === "pkcs12") {
    return new MaterialError(
      "pkcs12-not-certificate",
      "this is a PKCS#12 (.p12/.pfx) bundle, not a PEM or DER certificate",
      "use { pkcs12: PATH, passphrase: ${env:VAR} } as the source instead of file:",
    );
  }
  if (kind === "spki" || kind === "rsa-public") {
    return new MaterialError(
      "public-key-not-certificate",
      "this is a public key, not a certificate",
      "use the certificate that was issued for this key: a bare public key has no subject or validity",
    );
  }
  return new MaterialError(
    "undecodable",
    `this is ${describeKind(kind)} (${seen}), not a certificate`,
    "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER",
  );
}

function notPem(text: string): MaterialError {
  const compact = text.replace(/\s+/g, "");
  const der = strictBase64(compact);
  if (der && der.length > 0 && der[0] === 0x30) {
    return new MaterialError(
      "undecodable",
      `this is base64 text without PEM armor (it decodes to ${describeKind(sniffDer(der))})`,
      "add the -----BEGIN CERTIFICATE----- / -----END CERTIFICATE----- lines, or use { base64: …, encoding: BASE64 }",
    );
  }
  if (/^ssh-(rsa|ed25519|dss)|^ecdsa-sha2-/.test(text.trim())) {
    return new MaterialError("undecodable", "this is an SSH public key, not a certificate", "provide an X.509 certificate in PEM or DER");
  }
  const start = JSON.stringify(text.trim().slice(0, 32));
  return new MaterialError(
    "undecodable",
    `this is text with no PEM block (it starts with ${start})`,
    "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER",
  );
}
