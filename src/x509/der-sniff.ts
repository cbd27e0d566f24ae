import { TAG, childrenOf, isUniversal, oidOf, readBer, readBerSequence, smallIntOf, encodingOf, type Block } from "./asn1.js";

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

const isSeq = (t: Block | undefined): boolean => isUniversal(t, TAG.SEQUENCE);
const isInt = (t: Block | undefined, value?: number): boolean =>
  isUniversal(t, TAG.INTEGER) && (value === undefined || smallIntOf(t) === value);
const startsWithOid = (t: Block | undefined): boolean => isSeq(t) && oidOf(childrenOf(t)[0]) !== undefined;
const isTime = (t: Block): boolean => isUniversal(t, TAG.UTC_TIME) || isUniversal(t, TAG.GENERALIZED_TIME);

export function sniffDer(der: Uint8Array): MaterialKind {
  const top = readBer(der);
  return top ? sniffBlock(top) : "unknown";
}

/** The kind of an element already read (a DSA key is told apart by its caller: see decode-key). */
export function sniffBlock(top: Block): MaterialKind {
  if (!isSeq(top)) return "unknown";
  const c = childrenOf(top);
  const [c0, c1, c2] = c;

  if (isInt(c0, 3) && isSeq(c1)) {
    const ct = oidOf(childrenOf(c1)[0]);
    if (ct === OID_PKCS7_DATA || ct === OID_PKCS7_SIGNED) return "pkcs12";
  }
  if (oidOf(c0) === OID_PKCS7_SIGNED) return "pkcs7";

  if (c.length === 3 && isSeq(c0) && isSeq(c1) && isUniversal(c2, TAG.BIT_STRING)) {
    const tbs = childrenOf(c0);
    if (tbs.length === 4 && isInt(tbs[0], 0) && tbs[3]?.idBlock.tagClass === 3 && tbs[3].idBlock.tagNumber === 0) return "csr";
    // A CRL's thisUpdate is a direct child of its TBS; a certificate's times sit inside Validity.
    if (tbs.some(isTime)) return "crl";
    if (tbs.length >= 6) return "certificate";
  }
  if (c.length >= 3 && isInt(c0) && startsWithOid(c1) && isUniversal(c2, TAG.OCTET_STRING)) return "pkcs8";
  if (c.length === 2 && startsWithOid(c0) && isUniversal(c1, TAG.OCTET_STRING)) return "encrypted-pkcs8";
  // RSA (9 integers) and DSA (6) private keys in their traditional forms start with version 0.
  if ((c.length >= 9 || c.length === 6) && c.every((t) => isUniversal(t, TAG.INTEGER)) && isInt(c0, 0)) return "pkcs1";
  if (c.length >= 2 && isInt(c0, 1) && isUniversal(c1, TAG.OCTET_STRING)) return "sec1";
  if (c.length === 2 && startsWithOid(c0) && isUniversal(c1, TAG.BIT_STRING)) return "spki";
  if (c.length === 2 && isInt(c0) && isInt(c1)) return "rsa-public";
  return "unknown";
}

/** Splits concatenated DER elements (`cat a.der b.der`); undefined unless they are SEQUENCEs covering the buffer exactly. */
export function splitDerSequence(der: Uint8Array): Buffer[] | undefined {
  const blocks = readBerSequence(der);
  if (!blocks || !blocks.every(isSeq)) return undefined;
  return blocks.map(encodingOf);
}

export function kindOfPemLabel(label: string): MaterialKind | "openssh-key" | "parameters" {
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
    default:
      // EC PARAMETERS, DH PARAMETERS, X9.42 DH PARAMETERS, DSA PARAMETERS: what openssl *param writes.
      return label.endsWith("PARAMETERS") ? "parameters" : "unknown";
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
    case "parameters":
      return "domain parameters (DH, DSA or EC), which hold no key or certificate";
    default:
      return "data of an unknown kind";
  }
}
