import { createPublicKey, type KeyObject, type X509Certificate } from "node:crypto";
import { AsnConvert, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes } from "@peculiar/asn1-schema";
import { ECParameters } from "@peculiar/asn1-ecc";
import { Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";

/** What a key is, without its fingerprint: the type, and its size when certform can tell it. */
export interface KeyShape {
  /** "RSA", "EC", "Ed25519", "Ed448", "RSA-PSS", "DSA", "DH", …; for a key OpenSSL cannot load, a name for its OID or "unknown". */
  type: string;
  bits?: number;
  /** "P-256", "P-384", "P-521", or OpenSSL's name for other curves ("brainpoolP256r1"). */
  curve?: string;
  /**
   * The dotted OID of the key's algorithm, given only when certform cannot tell what the key is (OpenSSL
   * cannot load it: a GOST key, an unknown algorithm); there is then no size.
   */
  algorithm?: string;
}

const CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
const TYPES: Record<string, string> = {
  rsa: "RSA",
  "rsa-pss": "RSA-PSS",
  ec: "EC",
  dsa: "DSA",
  dh: "DH",
  ed25519: "Ed25519",
  ed448: "Ed448",
  x25519: "X25519",
  x448: "X448",
};
/** Curves whose name does not carry their size (the rest do: brainpoolP256r1, secp384r1, sect571k1, c2pnb163v1, …). */
const CURVE_BITS: Record<string, number> = {
  "P-256": 256,
  "P-384": 384,
  "P-521": 521,
  SM2: 256,
  "Oakley-EC2N-3": 155,
  "Oakley-EC2N-4": 185,
  "wap-wsg-idm-ecid-wtls1": 113,
  "wap-wsg-idm-ecid-wtls3": 163,
  "wap-wsg-idm-ecid-wtls4": 113,
  "wap-wsg-idm-ecid-wtls5": 163,
  "wap-wsg-idm-ecid-wtls6": 112,
  "wap-wsg-idm-ecid-wtls7": 160,
  "wap-wsg-idm-ecid-wtls8": 112,
  "wap-wsg-idm-ecid-wtls9": 160,
  "wap-wsg-idm-ecid-wtls10": 233,
  "wap-wsg-idm-ecid-wtls11": 233,
  "wap-wsg-idm-ecid-wtls12": 224,
};
/** Names for key algorithms OpenSSL (as node links it) cannot load; anything else is "unknown". */
const UNLOADABLE: Record<string, string> = {
  "1.2.643.2.2.19": "GOST R 34.10-2001",
  "1.2.643.7.1.1.1.1": "GOST R 34.10-2012",
  "1.2.643.7.1.1.1.2": "GOST R 34.10-2012",
  "2.16.840.1.101.3.4.3.17": "ML-DSA-44",
  "2.16.840.1.101.3.4.3.18": "ML-DSA-65",
  "2.16.840.1.101.3.4.3.19": "ML-DSA-87",
  "1.2.840.113549.1.1.1": "RSA",
  "1.2.840.10045.2.1": "EC",
  "1.2.840.10040.4.1": "DSA",
};

function curveBits(curve: string): number | undefined {
  return CURVE_BITS[curve] ?? (curve.match(/\d{3}/) ? Number(curve.match(/\d{3}/)![0]) : undefined);
}

/**
 * DH domain parameters: PKCS#3 (dhKeyAgreement: p, g, privateValueLength?) and X9.42 (dhpublicnumber:
 * p, g, q, j?, validationParms?) in one schema; only p is read. The decorators are applied by hand so
 * that this compiles the same with or without decorator support.
 */
export class DhParameters {
  p = new ArrayBuffer(0);
  g = new ArrayBuffer(0);
  third?: ArrayBuffer;
  j?: ArrayBuffer;
  validationParms?: ArrayBuffer;
}
const integer = { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter };
AsnProp(integer)(DhParameters.prototype, "p");
AsnProp(integer)(DhParameters.prototype, "g");
AsnProp({ ...integer, optional: true })(DhParameters.prototype, "third");
AsnProp({ ...integer, optional: true })(DhParameters.prototype, "j");
AsnProp({ type: AsnPropTypes.Any, optional: true })(DhParameters.prototype, "validationParms");

const DH_OIDS: ReadonlySet<string> = new Set(["1.2.840.113549.1.3.1", "1.2.840.10046.2.1"]);
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
/** Curves OpenSSL loads but node then reports without a type (it knows only "ec" keys by curve). */
const CURVE_OIDS: Record<string, string> = { "1.2.156.10197.1.301": "SM2" };

/** Bits of the prime p of DH domain parameters; undefined when they do not parse. */
function dhBits(parameters: ArrayBuffer | undefined): number | undefined {
  if (!parameters) return undefined;
  try {
    const p = Buffer.from(AsnConvert.parse(parameters, DhParameters).p);
    const first = p.findIndex((b) => b !== 0);
    return first < 0 ? undefined : (p.length - first) * 8 - Math.clz32(p[first]!) + 24;
  } catch {
    return undefined;
  }
}

/**
 * A key described from its SubjectPublicKeyInfo, for what node's KeyObject does not say: DH sizes
 * (PKCS#3 and X9.42), SM2, and keys OpenSSL cannot load at all, which keep their algorithm's OID.
 */
function spkiShape(spki: SubjectPublicKeyInfo): KeyShape {
  const { algorithm, parameters } = spki.algorithm;
  if (DH_OIDS.has(algorithm)) {
    const bits = dhBits(parameters ?? undefined);
    return bits ? { type: "DH", bits } : { type: "DH" };
  }
  if (algorithm === EC_PUBLIC_KEY && parameters) {
    try {
      const curve = CURVE_OIDS[AsnConvert.parse(parameters, ECParameters).namedCurve ?? ""];
      if (curve) return { type: "EC", curve, bits: curveBits(curve)! };
    } catch {
      // Explicit curve parameters: described by the OID below.
    }
  }
  return { type: UNLOADABLE[algorithm] ?? "unknown", algorithm };
}

function keySpki(key: KeyObject): SubjectPublicKeyInfo {
  const pub = key.type === "public" ? key : createPublicKey(key);
  return AsnConvert.parse(pub.export({ type: "spki", format: "der" }), SubjectPublicKeyInfo);
}

/** Type and size of a key, without the fingerprint (which costs a key export). */
export function keyShape(key: KeyObject): KeyShape {
  const raw = key.asymmetricKeyType;
  if (!raw || (raw as string) === "dh") return spkiShape(keySpki(key));
  const details = key.asymmetricKeyDetails;
  const curve = details?.namedCurve ? (CURVES[details.namedCurve] ?? details.namedCurve) : undefined;
  const bits =
    details?.modulusLength ??
    (curve ? curveBits(curve) : undefined) ??
    (raw === "ed25519" || raw === "x25519" ? 256 : raw === "ed448" ? 456 : raw === "x448" ? 448 : undefined);
  const info: KeyShape = { type: TYPES[raw] ?? raw };
  if (bits) info.bits = bits;
  if (curve) info.curve = curve;
  return info;
}

/** The certificate's public key, or undefined when OpenSSL cannot load it (a GOST key, an unknown algorithm). */
export function loadablePublicKey(cert: X509Certificate): KeyObject | undefined {
  try {
    return cert.publicKey;
  } catch {
    return undefined;
  }
}

/**
 * Type and size of a certificate's public key. A key OpenSSL cannot load is described by its
 * algorithm's OID (and a name when it has a well-known one), with no size: certform cannot tell it.
 */
export function certificateKeyShape(cert: X509Certificate): KeyShape {
  const key = loadablePublicKey(cert);
  if (key) return keyShape(key);
  try {
    return spkiShape(AsnConvert.parse(cert.raw, Certificate).tbsCertificate.subjectPublicKeyInfo);
  } catch {
    // OpenSSL parsed the certificate but not its key, and the schema not the certificate: nothing more to say.
    return { type: "unknown" };
  }
}
