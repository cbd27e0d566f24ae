import { createHash, type X509Certificate } from "node:crypto";
import { escapeControl as escapeControlCharacters } from "../model/control-chars.js";
import { formatFingerprint } from "./fingerprint.js";
import { TAG, children, content, decodeOid, decodeTime, parseDer, whole, type Tlv } from "./pkcs12/der.js";
import { formatName } from "./name.js";

/** Certificate fields node's X509Certificate does not expose, read once from the DER and cached. */
export interface CertFields {
  signatureAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  subject: string;
  issuer: string;
  subjectName: Tlv;
  /** undefined when the certificate has no subjectAltName extension at all. */
  sans: San[] | undefined;
  /**
   * SHA-256 over the certificate's SubjectPublicKeyInfo as it is written in the certificate: what
   * fingerprintKey(cert.publicKey) gives, without a key export (OpenSSL 3's encoder costs ~0.2 ms a key).
   */
  keyFingerprint256: string;
}

export interface San {
  type: "DNS" | "IP" | "URI" | "email" | "other";
  value: string;
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
  "2.16.840.1.101.3.4.3.2": "dsa-with-SHA256",
  "1.3.101.112": "ED25519",
  "1.3.101.113": "ED448",
};

export const SHA1_SIGNATURES: ReadonlySet<string> = new Set(["sha1WithRSAEncryption", "ecdsa-with-SHA1", "dsa-with-SHA1"]);

const SAN_OID = "2.5.29.17";
const cache = new WeakMap<X509Certificate, CertFields>();

export function certFields(cert: X509Certificate): CertFields {
  const hit = cache.get(cert);
  if (hit) return hit;
  const fields = readFields(cert);
  cache.set(cert, fields);
  return fields;
}

function readFields(cert: X509Certificate): CertFields {
  // node already parsed this certificate, so the structure is known to be sound.
  const top = parseDer(Buffer.from(cert.raw))!;
  const [tbs, sigAlg] = children(top);
  let fieldsTlv = children(tbs!);
  if (fieldsTlv[0]?.tag === 0xa0) fieldsTlv = fieldsTlv.slice(1);
  const [, , issuer, validity, subject, spki] = fieldsTlv;
  const [nb, na] = children(validity!);
  const oid = decodeOid(children(sigAlg!)[0]!);
  return {
    signatureAlgorithm: SIGNATURE_ALGORITHMS[oid] ?? oid,
    notBefore: decodeTime(nb!) ?? new Date(cert.validFrom),
    notAfter: decodeTime(na!) ?? new Date(cert.validTo),
    subject: formatName(subject!),
    issuer: formatName(issuer!),
    subjectName: subject!,
    sans: readSans(fieldsTlv.find((t) => t.tag === 0xa3)),
    keyFingerprint256: formatFingerprint(createHash("sha256").update(whole(spki!)).digest()),
  };
}

function readSans(extensionsWrapper: Tlv | undefined): San[] | undefined {
  const extensions = extensionsWrapper ? children(extensionsWrapper)[0] : undefined;
  if (!extensions) return undefined;
  for (const ext of children(extensions)) {
    const parts = children(ext);
    if (!parts[0] || decodeOid(parts[0]) !== SAN_OID) continue;
    const value = parts[parts.length - 1]!;
    const names = parseDer(content(value));
    if (!names || names.tag !== TAG.SEQUENCE) return [];
    return children(names).map(readGeneralName);
  }
  return undefined;
}

function readGeneralName(gn: Tlv): San {
  const bytes = content(gn);
  switch (gn.tag) {
    case 0x82:
      return { type: "DNS", value: bytes.toString("latin1") };
    case 0x87:
      return { type: "IP", value: formatIp(bytes) };
    case 0x86:
      return { type: "URI", value: bytes.toString("latin1") };
    case 0x81:
      return { type: "email", value: bytes.toString("latin1") };
    default:
      return { type: "other", value: `[${gn.tag & 0x1f}]` };
  }
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return canonicalIpv6(groups.join(":"));
  }
  return `#${bytes.toString("hex")}`;
}

/** The compressed textual form (RFC 5952), so that equal addresses compare equal as strings. */
export function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

/** "DNS:api.example.com", "IP:10.0.0.1"; control characters escaped so output stays one clean line. */
export function sanToString(san: San): string {
  return `${san.type}:${escapeControl(san.value)}`;
}

export function escapeControl(text: string): string {
  return escapeControlCharacters(text);
}
