// Certificates for benchmarks, thousands a second: @peculiar/x509 takes ~10 ms a certificate, which is
// minutes for 10,000. Every certificate here has one fixed shape (EC P-256, ECDSA-SHA256, v3 with the
// extensions a server or CA certificate carries), so its DER is written directly and signed with
// node:crypto. Benchmark material only: the product generates with src/x509/generate.ts.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";

export interface FastIssued {
  /** PEM of this certificate alone. */
  pem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  key: KeyObject;
  /** DER of the subject Name, for the certificates it issues. */
  subjectDer: Buffer;
  /** Subject key identifier, for the certificates it issues. */
  keyId: Buffer;
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, c: Buffer) => tlv(0xa0 + n, c);
function uint(b: Buffer): Buffer {
  return tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}
function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}
function time(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(s.slice(2))) : tlv(0x18, Buffer.from(s));
}
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn)))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));
const DAY = 86_400_000;

/** A certificate for `key` named `cn`, signed by `issuer` (self-signed without one). */
function certificate(opts: { cn: string; key: KeyObject; issuer?: FastIssued; ca: boolean; hosts: string[]; days: number }): FastIssued {
  const spki = createPublicKey(opts.key).export({ type: "spki", format: "der" });
  const keyId = createHash("sha1").update(spki).digest();
  const subjectDer = name(opts.cn);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const now = Date.now();
  const extensions = [
    extension("2.5.29.19", true, seq(...(opts.ca ? [bool(true)] : []))),
    // keyCertSign + cRLSign + digitalSignature for a CA, digitalSignature for a server.
    extension("2.5.29.15", true, opts.ca ? bits(Buffer.from([0x86]), 1) : bits(Buffer.from([0x80]), 7)),
    ...(opts.ca ? [] : [extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")))]),
    ...(opts.hosts.length > 0 ? [extension("2.5.29.17", false, seq(...opts.hosts.map((h) => tlv(0x82, Buffer.from(h)))))] : []),
    extension("2.5.29.14", false, octets(keyId)),
    extension("2.5.29.35", false, seq(tlv(0x80, opts.issuer?.keyId ?? keyId))),
  ];
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))),
    uint(serial),
    ECDSA_SHA256,
    opts.issuer?.subjectDer ?? subjectDer,
    seq(time(new Date(now - 5 * 60_000)), time(new Date(Math.ceil((now + opts.days * DAY) / 1000) * 1000))),
    subjectDer,
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign("sha256", tbs, opts.issuer?.key ?? opts.key);
  const der = seq(tbs, ECDSA_SHA256, bits(signature));
  const pem = new X509Certificate(der).toString();
  const keyPem = opts.key.export({ type: "pkcs8", format: "pem" }).toString();
  return { pem, keyPem, key: opts.key, subjectDer, keyId };
}

const ecKey = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

export function fastRoot(cn = "certform bench root CA"): FastIssued {
  return certificate({ cn, key: ecKey(), ca: true, hosts: [], days: 3650 });
}

export function fastIntermediate(root: FastIssued, cn = "certform bench intermediate CA"): FastIssued {
  return certificate({ cn, key: ecKey(), issuer: root, ca: true, hosts: [], days: 1825 });
}

/** A server certificate for `host`, issued by `issuer`. */
export function fastLeaf(issuer: FastIssued, host: string, days = 365): FastIssued {
  return certificate({ cn: host, key: ecKey(), issuer, ca: false, hosts: [host], days });
}

/** Rebuilds an issuer from its PEMs (a cached CA that issues more). */
export function issuerFrom(pem: string, keyPem: string, cn: string): FastIssued {
  const key = createPrivateKey(keyPem);
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  return { pem, keyPem, key, subjectDer: name(cn), keyId: createHash("sha1").update(spki).digest() };
}
