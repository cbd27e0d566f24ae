import { createHash, type X509Certificate } from "node:crypto";
import { escapeControl as escapeControlCharacters } from "../model/control-chars.js";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { quoteValue } from "../model/redact.js";
import { TAG, childrenOf, contentOf, encodingOf, isUniversal, oidOf, readBer, tryParseAs } from "./asn1.js";
import { MaterialError } from "./errors.js";
import { formatFingerprint } from "./fingerprint.js";
import { formatName } from "./name.js";

/** Certificate fields node's X509Certificate does not expose (or not exactly), read once from the DER and cached. */
export interface CertFields {
  signatureAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  subject: string;
  issuer: string;
  /**
   * Uppercase hex of the serial number as OpenSSL prints it: a negative serial (which RFC 5280
   * forbids but CAs have issued) as its two's-complement octets, never with a minus sign.
   */
  serialNumber: string;
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

const cache = new WeakMap<X509Certificate, CertFields>();

/**
 * The fields of a certificate node:crypto has parsed. Throws MaterialError ('undecodable') for what
 * OpenSSL parses without complaint but no client accepts: a time that is no time, a malformed
 * subjectAltName extension.
 */
export function certFields(cert: X509Certificate): CertFields {
  const hit = cache.get(cert);
  if (hit) return hit;
  const fields = readFields(cert);
  cache.set(cert, fields);
  return fields;
}

/** The encodings of the parts read, located in the certificate's DER. */
interface Parts {
  signatureAlgorithm: Uint8Array;
  serial: Uint8Array;
  issuer: Uint8Array;
  /** notBefore and notAfter: each its tag (UTCTime, GeneralizedTime) and its text. */
  validity: TimeField[];
  subject: Uint8Array;
  spki: Uint8Array;
  /** The subjectAltName extension's value (the GeneralNames encoding). */
  san: Uint8Array | undefined;
}

function readFields(cert: X509Certificate): CertFields {
  const raw = cert.raw;
  const parts = locateParts(raw) ?? partsFromTree(raw);
  const subject = formatName(parts.subject);
  if (subject === undefined) throw malformed("its subject name cannot be read", "");
  const issuer = issuerName(parts.issuer) ?? "";
  const label = subject || "(empty subject)";
  const [notBefore, notAfter] = readValidity(parts.validity, label);
  return {
    signatureAlgorithm: signatureAlgorithm(parts.signatureAlgorithm),
    notBefore,
    notAfter,
    subject,
    issuer,
    serialNumber: serialHex(parts.serial),
    sans: parts.san ? readSans(parts.san, label) : undefined,
    keyFingerprint256: formatFingerprint(createHash("sha256").update(parts.spki).digest()),
  };
}

function malformed(what: string, label: string): MaterialError {
  return new MaterialError(
    "undecodable",
    `the certificate${label ? ` ${label}` : ""} is malformed: ${what}`,
    "reissue the certificate; clients reject it as it is",
  );
}

// 10,000 leaves usually share a handful of issuers and signature algorithms: each is read once.
const issuers = new Map<string, string | undefined>();
const algorithms = new Map<string, string>();
const MEMO_MAX = 1024;

function remember<T>(memo: Map<string, T>, key: string, make: () => T): T {
  if (memo.has(key)) return memo.get(key)!;
  const value = make();
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
  memo.set(key, value);
  return value;
}

function issuerName(der: Uint8Array): string | undefined {
  return remember(issuers, Buffer.from(der).toString("latin1"), () => formatName(der));
}

function signatureAlgorithm(der: Uint8Array): string {
  return remember(algorithms, Buffer.from(der).toString("latin1"), () => {
    const oid = tryParseAs(der, AlgorithmIdentifier)?.algorithm;
    if (oid === undefined) throw malformed("its signature algorithm cannot be read", "");
    return SIGNATURE_ALGORITHMS[oid] ?? oid;
  });
}

function serialHex(content: Uint8Array): string {
  // A positive serial's leading 00 only keeps its sign bit clear; OpenSSL leaves it out.
  const bytes = content.length > 1 && content[0] === 0 ? content.subarray(1) : content;
  return Buffer.from(bytes).toString("hex").toUpperCase();
}

interface TimeField {
  tag: number;
  text: string;
}

function readValidity(times: TimeField[], label: string): [Date, Date] {
  const read = (time: TimeField | undefined, field: string): Date => {
    const date = time ? strictTime(time) : undefined;
    if (date) return date;
    const shown = time ? ` (${quoteValue(time.text)})` : "";
    throw malformed(`its ${field} time${shown} is not a valid UTCTime or GeneralizedTime`, label);
  };
  return [read(times[0], "notBefore"), read(times[1], "notAfter")];
}

/**
 * A UTCTime or GeneralizedTime as RFC 5280 writes them (UTC, seconds present). The date must exist:
 * month 13 or day 32 are errors, not rolled over into the next year or month.
 */
function strictTime({ tag, text }: TimeField): Date | undefined {
  let m: RegExpMatchArray | null;
  let year: number;
  if (tag === TAG.UTC_TIME) {
    m = text.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/);
    // RFC 5280 4.1.2.5.1: two-digit years 50..99 are 19xx.
    year = m ? (Number(m[1]) >= 50 ? 1900 : 2000) + Number(m[1]) : 0;
  } else if (tag === TAG.GENERALIZED_TIME) {
    m = text.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/);
    year = m ? Number(m[1]) : 0;
  } else {
    return undefined;
  }
  if (!m) return undefined;
  const [month, day, hour, minute, second] = m.slice(2, 7).map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC treats years 0..99 as 1900..1999; setUTCFullYear does not.
  date.setUTCFullYear(year);
  const exists = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return exists ? date : undefined;
}

const GENERAL_NAMES: Record<number, San["type"]> = { 1: "email", 2: "DNS", 6: "URI", 7: "IP" };

function readSans(der: Uint8Array, label: string): San[] {
  const names = readBer(der);
  if (!names || !isUniversal(names, TAG.SEQUENCE)) throw malformed("its subjectAltName extension is not a list of names", label);
  return childrenOf(names).map((gn) => {
    const type = gn.idBlock.tagClass === 3 ? GENERAL_NAMES[gn.idBlock.tagNumber] : undefined;
    if (gn.idBlock.tagClass !== 3) throw malformed("its subjectAltName extension holds an entry that is not a name", label);
    if (!type) return { type: "other", value: `[${gn.idBlock.tagNumber}]` };
    if (gn.idBlock.isConstructed) throw malformed(`its subjectAltName extension holds a ${type} entry in a constructed form`, label);
    const bytes = contentOf(gn);
    return { type, value: type === "IP" ? formatIp(bytes) : text(bytes) };
  });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * An IA5String SAN's text. RFC 5280 allows ASCII only, but UTF-8 is found in the wild: it is shown as
 * the characters it encodes (and host matching then refuses the name); other bytes as Latin-1.
 */
function text(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

/**
 * Where the parts are in DER that node:crypto has already parsed: only element headers are read, to
 * skip from one part to the next; every part itself is decoded by the library. Forms DER does not use
 * (an indefinite length, a multi-byte tag) make this give up and the library read the whole certificate.
 */
function locateParts(raw: Uint8Array): Parts | undefined {
  const top = spanAt(raw, 0, raw.length);
  if (!top || top.tag !== 0x30 || top.end !== raw.length) return undefined;
  const [tbs, sigAlg] = spansIn(raw, top) ?? [];
  let fields = tbs ? spansIn(raw, tbs) : undefined;
  if (!fields || !sigAlg) return undefined;
  if (fields[0]?.tag === 0xa0) fields = fields.slice(1);
  const [serial, , issuer, validity, subject, spki] = fields;
  if (!serial || serial.tag !== 0x02 || !issuer || !validity || !subject || !spki) return undefined;
  let san: Uint8Array | undefined;
  const wrapper = fields.find((t) => t.tag === 0xa3);
  if (wrapper) {
    const [extensions] = spansIn(raw, wrapper) ?? [];
    const list = extensions && spansIn(raw, extensions);
    if (!list) return undefined;
    for (const ext of list) {
      const items = spansIn(raw, ext);
      if (!items || items.length < 2) return undefined;
      if (!equalBytes(raw.subarray(items[0]!.start, items[0]!.end), SAN_OID_DER)) continue;
      const value = items[items.length - 1]!;
      if (value.tag !== 0x04) return undefined;
      san = raw.subarray(value.body, value.end);
    }
  }
  const bytes = (s: Span): Uint8Array => raw.subarray(s.start, s.end);
  const times = spansIn(raw, validity);
  if (!times) return undefined;
  const time = (s: Span): TimeField => ({ tag: s.tag, text: Buffer.from(raw.subarray(s.body, s.end)).toString("latin1") });
  return { signatureAlgorithm: bytes(sigAlg), serial: raw.subarray(serial.body, serial.end), issuer: bytes(issuer), validity: times.map(time), subject: bytes(subject), spki: bytes(spki), san };
}

const SAN_OID = "2.5.29.17";
const SAN_OID_DER = Uint8Array.from([0x06, 0x03, 0x55, 0x1d, 0x11]);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface Span {
  tag: number;
  start: number;
  body: number;
  end: number;
}

function spanAt(buf: Uint8Array, pos: number, limit: number): Span | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let length = buf[pos + 1]!;
  let body = pos + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || body + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[body + i]!;
    body += n;
  }
  return body + length <= limit ? { tag, start: pos, body, end: body + length } : undefined;
}

function spansIn(buf: Uint8Array, outer: Span): Span[] | undefined {
  const out: Span[] = [];
  for (let pos = outer.body; pos < outer.end; ) {
    const span = spanAt(buf, pos, outer.end);
    if (!span) return undefined;
    out.push(span);
    pos = span.end;
  }
  return out;
}

/** The same parts from the library's tree of the whole certificate: for BER that OpenSSL tolerates. */
function partsFromTree(raw: Uint8Array): Parts {
  const [tbs, sigAlg] = childrenOf(readBer(raw));
  let fields = childrenOf(tbs);
  if (fields[0]?.idBlock.tagClass === 3) fields = fields.slice(1);
  const [serial, , issuer, validity, subject, spki] = fields;
  if (!sigAlg || !serial || !issuer || !validity || !subject || !spki) throw malformed("its structure cannot be read", "");
  const extensions = childrenOf(childrenOf(fields.find((t) => t.idBlock.tagClass === 3 && t.idBlock.tagNumber === 3))[0]);
  const sanExt = extensions.map(childrenOf).find((items) => oidOf(items[0]) === SAN_OID);
  return {
    signatureAlgorithm: encodingOf(sigAlg),
    serial: contentOf(serial),
    issuer: encodingOf(issuer),
    validity: childrenOf(validity).map((t) => ({ tag: t.idBlock.tagClass === 1 ? t.idBlock.tagNumber : -1, text: contentOf(t).toString("latin1") })),
    subject: encodingOf(subject),
    spki: encodingOf(spki),
    san: sanExt ? contentOf(sanExt[sanExt.length - 1]!) : undefined,
  };
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
