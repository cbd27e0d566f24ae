/**
 * Certificates carrying public keys that certform's usual generator cannot make: an algorithm OpenSSL
 * cannot load (GOST, an invented OID), Brainpool curves, DH keys. Each certificate is signed with a
 * fresh P-256 key under its own subject name; everything is made in the test run, nothing is committed.
 */
import "reflect-metadata";
import { createDiffieHellmanGroup, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { AsnConvert, AsnIntegerArrayBufferConverter, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  Extension,
  Extensions,
  GeneralName,
  Name,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_subjectAltName,
} from "@peculiar/asn1-x509";
import * as px from "@peculiar/x509";
import { DhParameters } from "../../src/x509/key-shape.js";

const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const DHPUBLICNUMBER = "1.2.840.10046.2.1";
const DH_KEY_AGREEMENT = "1.2.840.113549.1.3.1";

const buffer = (u: ArrayBuffer | Uint8Array | Buffer): ArrayBuffer => {
  const b = Buffer.from(u instanceof ArrayBuffer ? new Uint8Array(u) : u);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
};

export interface OddCertificateOptions {
  /** Written most specific first: "CN=gost.example.com". Default CN=<first host> or CN=odd key. */
  subject?: string;
  hosts?: string[];
  validityDays?: number;
  /** Rewrites the encoded TBSCertificate before it is signed: to plant a malformed field. */
  rewriteTbs?: (tbs: Buffer) => Buffer;
}

/** A certificate whose SubjectPublicKeyInfo is exactly `spki` (DER). */
export function certificateWithSpki(spki: Buffer, opts: OddCertificateOptions = {}): X509Certificate {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const hosts = opts.hosts ?? [];
  const name = AsnConvert.parse(new px.Name(opts.subject ?? `CN=${hosts[0] ?? "odd key"}`).toArrayBuffer(), Name);
  const extensions = hosts.length
    ? new Extensions([
        new Extension({
          extnID: id_ce_subjectAltName,
          critical: false,
          extnValue: new OctetString(AsnConvert.serialize(new SubjectAlternativeName(hosts.map((h) => new GeneralName({ dNSName: h }))))),
        }),
      ])
    : undefined;
  const signature = new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: buffer(Buffer.concat([Buffer.from([0x01]), randomBytes(8)])),
    signature,
    issuer: name,
    subject: name,
    validity: new Validity({ notBefore: new Date(Date.now() - 300_000), notAfter: new Date(Date.now() + (opts.validityDays ?? 90) * 86_400_000) }),
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    ...(extensions ? { extensions } : {}),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signed = opts.rewriteTbs ? opts.rewriteTbs(tbsDer) : tbsDer;
  const signatureValue = sign("sha256", signed, privateKey);
  const cert = Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: signature, signatureValue: buffer(signatureValue) })));
  return new X509Certificate(opts.rewriteTbs ? Buffer.from(cert.toString("latin1").replace(tbsDer.toString("latin1"), signed.toString("latin1")), "latin1") : cert);
}

/** A SubjectPublicKeyInfo of algorithm `oid` (no parameters) over random bytes: what OpenSSL cannot load. */
export function unloadableSpki(oid: string): Buffer {
  return Buffer.from(AsnConvert.serialize(new SubjectPublicKeyInfo({ algorithm: new AlgorithmIdentifier({ algorithm: oid }), subjectPublicKey: buffer(randomBytes(66)) })));
}

/** The SubjectPublicKeyInfo of a fresh EC key on a named curve OpenSSL knows (brainpoolP256r1, secp256k1, …). */
export function curveSpki(namedCurve: string): Buffer {
  return generateKeyPairSync("ec", { namedCurve }).publicKey.export({ type: "spki", format: "der" });
}

/**
 * A DH SubjectPublicKeyInfo over an RFC 3526 group ("modp14" is 2048 bits): PKCS#3 dhKeyAgreement (p, g)
 * or X9.42 dhpublicnumber (p, g, q; p is a safe prime, so q = (p − 1) / 2).
 */
export function dhSpki(form: "pkcs3" | "x942", group: "modp2" | "modp14" | "modp15" = "modp14"): Buffer {
  const dh = createDiffieHellmanGroup(group);
  dh.generateKeys();
  const p = dh.getPrime();
  const q = Buffer.from(((BigInt(`0x${p.toString("hex")}`) - 1n) / 2n).toString(16).padStart(p.length * 2, "0"), "hex");
  const unsigned = (b: Buffer) => buffer(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  const params = AsnConvert.serialize(Object.assign(new DhParameters(), { p: unsigned(p), g: unsigned(dh.getGenerator()), ...(form === "x942" ? { third: unsigned(q) } : {}) }));
  const y = Buffer.from(AsnIntegerArrayBufferConverter.toASN(unsigned(dh.getPublicKey())).toBER());
  const spki = Buffer.from(
    AsnConvert.serialize(
      new SubjectPublicKeyInfo({
        algorithm: new AlgorithmIdentifier({ algorithm: form === "x942" ? DHPUBLICNUMBER : DH_KEY_AGREEMENT, parameters: params }),
        subjectPublicKey: buffer(y),
      }),
    ),
  );
  // OpenSSL loads it as a DH key: proof that the structure is right.
  createPublicKey({ key: spki, format: "der", type: "spki" });
  return spki;
}
