import { TAG, children, decodeOid, decodeSmallInteger, parseDer, readTlv, type Tlv } from "./pkcs12/der.js";

/** What a piece of DER (or a PEM label) holds, judged by structure alone. */
export type MaterialKind =
  | "certificate"
  | "csr"
  | "crl"
  | "pkcs8"
  | "encrypted-pkcs8"
  | "pkcs1"
  | "sec1"
  | "spki"
  | "rsa-public"
  | "pkcs12"
  | "pkcs7"
  | "unknown";

const OID_PKCS7_DATA = "1.2.840.113549.1.7.1";
const OID_PKCS7_SIGNED = "1.2.840.113549.1.7.2";

const isSeq = (t: Tlv | undefined): boolean => t?.tag === TAG.SEQUENCE;
const isInt = (t: Tlv | undefined, value?: number): boolean =>
  t?.tag === TAG.INTEGER && (value === undefined || decodeSmallInteger(t) === value);
const startsWithOid = (t: Tlv | undefined): boolean => isSeq(t) && children(t!)[0]?.tag === TAG.OID;

export function sniffDer(der: Buffer): MaterialKind {
  // PKCS#12 may be BER; everything else is read strictly.
  const top = parseDer(der) ?? parseDer(der, true);
  if (!top || top.tag !== TAG.SEQUENCE) return "unknown";
  const c = children(top, true);
  const [c0, c1, c2] = c;

  if (isInt(c0, 3) && isSeq(c1)) {
    const ct = children(c1!, true)[0];
    if (ct?.tag === TAG.OID && [OID_PKCS7_DATA, OID_PKCS7_SIGNED].includes(decodeOid(ct))) return "pkcs12";
  }
  if (c0?.tag === TAG.OID && decodeOid(c0) === OID_PKCS7_SIGNED) return "pkcs7";

  if (c.length === 3 && isSeq(c0) && isSeq(c1) && c2?.tag === TAG.BIT_STRING) {
    const tbs = children(c0!);
    if (tbs.length === 4 && isInt(tbs[0], 0) && tbs[3]?.tag === 0xa0) return "csr";
    // A CRL's thisUpdate is a direct child of its TBS; a certificate's times sit inside Validity.
    if (tbs.some((t) => t.tag === TAG.UTC_TIME || t.tag === TAG.GENERALIZED_TIME)) return "crl";
    if (tbs.length >= 6) return "certificate";
  }
  if (c.length >= 3 && isInt(c0) && startsWithOid(c1) && c2?.tag === TAG.OCTET_STRING) return "pkcs8";
  if (c.length === 2 && startsWithOid(c0) && c1?.tag === TAG.OCTET_STRING) return "encrypted-pkcs8";
  if (c.length >= 9 && c.every((t) => t.tag === TAG.INTEGER) && isInt(c0, 0)) return "pkcs1";
  if (c.length >= 2 && isInt(c0, 1) && c1?.tag === TAG.OCTET_STRING) return "sec1";
  if (c.length === 2 && startsWithOid(c0) && c1?.tag === TAG.BIT_STRING) return "spki";
  if (c.length === 2 && isInt(c0) && isInt(c1)) return "rsa-public";
  return "unknown";
}

/** Splits concatenated DER elements (`cat a.der b.der`); undefined unless they cover the buffer exactly. */
export function splitDerSequence(der: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < der.length) {
    const tlv = readTlv(der, pos);
    if (!tlv || tlv.tag !== TAG.SEQUENCE) return undefined;
    out.push(der.subarray(tlv.start, tlv.end));
    pos = tlv.end;
  }
  return out.length > 0 ? out : undefined;
}

export function kindOfPemLabel(label: string): MaterialKind | "openssh-key" | "ec-parameters" {
  switch (label) {
    case "CERTIFICATE":
    case "X509 CERTIFICATE":
    case "TRUSTED CERTIFICATE":
      return "certificate";
    case "CERTIFICATE REQUEST":
    case "NEW CERTIFICATE REQUEST":
      return "csr";
    case "X509 CRL":
      return "crl";
    case "PRIVATE KEY":
      return "pkcs8";
    case "ENCRYPTED PRIVATE KEY":
      return "encrypted-pkcs8";
    case "RSA PRIVATE KEY":
    case "DSA PRIVATE KEY":
      return "pkcs1";
    case "EC PRIVATE KEY":
      return "sec1";
    case "PUBLIC KEY":
      return "spki";
    case "RSA PUBLIC KEY":
      return "rsa-public";
    case "PKCS7":
    case "PKCS #7 SIGNED DATA":
    case "CMS":
      return "pkcs7";
    case "OPENSSH PRIVATE KEY":
      return "openssh-key";
    case "EC PARAMETERS":
      return "ec-parameters";
    default:
      return "unknown";
  }
}

export const PRIVATE_KEY_KINDS: ReadonlySet<string> = new Set(["pkcs8", "encrypted-pkcs8", "pkcs1", "sec1", "openssh-key"]);

export function describeKind(kind: string): string {
  switch (kind) {
    case "certificate":
      return "a certificate";
    case "csr":
      return "a certificate request (CSR)";
    case "crl":
      return "a certificate revocation list (CRL)";
    case "pkcs8":
    case "pkcs1":
    case "sec1":
      return "a private key";
    case "encrypted-pkcs8":
      return "an encrypted private key";
    case "openssh-key":
      return "an OpenSSH private key";
    case "spki":
    case "rsa-public":
      return "a public key";
    case "pkcs12":
      return "a PKCS#12 (.p12/.pfx) bundle";
    case "pkcs7":
      return "a PKCS#7 bundle";
    default:
      return "data of an unknown kind";
  }
}
