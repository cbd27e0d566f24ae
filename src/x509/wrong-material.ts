/**
 * What to say when material is the wrong kind for where it was given (a key where a certificate
 * belongs, a CSR, a bundle, bare base64). Input is described by its form only, never by content.
 */
import { PRIVATE_KEY_KINDS, describeKind, type MaterialKind } from "./der-sniff.js";
import { MaterialError } from "./errors.js";
import { armourHint, bareBase64Kind, describeText } from "./input-form.js";

/** A certificate was expected; `seen` says where the kind was read from (PEM "LABEL", DER). */
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

/** Text without PEM armour where certificates were expected. */
export function certificateNotPem(text: string): MaterialError {
  const form = describeText(text);
  const kind = bareBase64Kind(text);
  if (kind !== undefined && PRIVATE_KEY_KINDS.has(kind)) {
    return new MaterialError(
      "key-not-certificate",
      `this is ${form}, where a certificate was expected`,
      `point certificate: at the certificate file; to use this as a key, ${armourHint(kind)}`,
    );
  }
  if (kind === "certificate" || kind === "pkcs7") {
    return new MaterialError(
      "undecodable",
      `this is ${form}`,
      `${armourHint(kind)}; in a stack, { base64: …, encoding: BASE64 } also takes it as it is`,
    );
  }
  if (kind !== undefined && kind !== "unknown") return notACertificate(kind, "bare base64");
  if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-)/.test(text.trim())) {
    return new MaterialError("undecodable", "this is an SSH public key, not a certificate", "provide an X.509 certificate in PEM or DER");
  }
  return new MaterialError("undecodable", `this is ${form}`, "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER");
}

/** Text without PEM armour where a private key was expected. */
export function keyNotPem(text: string): MaterialError {
  const kind = bareBase64Kind(text);
  if (kind !== undefined && PRIVATE_KEY_KINDS.has(kind)) {
    return new MaterialError("undecodable", `this is ${describeText(text)}`, armourHint(kind));
  }
  if (kind !== undefined && kind !== "unknown") return notAKey(kind, "bare base64");
  return new MaterialError("undecodable", `this is ${describeText(text)}`, "provide the private key as PEM or DER (PKCS#8, PKCS#1 or SEC1)");
}

/** A private key was expected; `seen` says where the kind was read from. */
export function notAKey(kind: MaterialKind | string, seen: string): MaterialError {
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
        "provide the private key as PEM or DER (PKCS#8, PKCS#1 or SEC1)",
      );
  }
}
