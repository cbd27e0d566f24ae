import { createPrivateKey, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { ECPrivateKey, ECParameters, id_ecPublicKey } from "@peculiar/asn1-ecc";

// OpenSSL 3 decodes a PEM or DER private key through its generic decoder framework, which costs about
// 0.8 ms per EC key on this project's machines: 8 s for 10,000 certificates, in every command that reads
// them and again on every gateway they are written to. The same key imported as a JWK costs about 0.1 ms.
// So an unencrypted EC key in its usual forms (PKCS#8, SEC1 with the curve named and the public key
// present) is read with the ASN.1 schemas and handed to Node as a JWK. Anything else — another layout, a
// missing public key, trailing bytes, an unknown curve — returns undefined and takes OpenSSL's path, which
// also words every error.

const CURVES: Readonly<Record<string, { crv: string; bytes: number }>> = {
  "1.2.840.10045.3.1.7": { crv: "P-256", bytes: 32 },
  "1.3.132.0.34": { crv: "P-384", bytes: 48 },
  "1.3.132.0.35": { crv: "P-521", bytes: 66 },
};

/** An unencrypted PKCS#8 ("PRIVATE KEY") EC key, or undefined when it is not one in the common form. */
export function ecKeyFromPkcs8(der: Uint8Array): KeyObject | undefined {
  try {
    const info = AsnConvert.parse(der, PrivateKeyInfo);
    if (info.version !== 0 || info.privateKeyAlgorithm.algorithm !== id_ecPublicKey || !info.privateKeyAlgorithm.parameters) return undefined;
    if (!wholeDer(der)) return undefined;
    const curve = AsnConvert.parse(info.privateKeyAlgorithm.parameters, ECParameters).namedCurve;
    return fromEcPrivateKey(new Uint8Array(info.privateKey.buffer), curve);
  } catch {
    return undefined;
  }
}

/** An unencrypted SEC1 ("EC PRIVATE KEY") key, or undefined when it is not one in the common form. */
export function ecKeyFromSec1(der: Uint8Array): KeyObject | undefined {
  try {
    return fromEcPrivateKey(der, undefined);
  } catch {
    return undefined;
  }
}

function fromEcPrivateKey(der: Uint8Array, outerCurve: string | undefined): KeyObject | undefined {
  if (!wholeDer(der)) return undefined;
  const ec = AsnConvert.parse(der, ECPrivateKey);
  const inner = ec.parameters?.namedCurve;
  if (outerCurve !== undefined && inner !== undefined && inner !== outerCurve) return undefined;
  const curve = CURVES[outerCurve ?? inner ?? ""];
  if (ec.version !== 1 || !curve || !ec.publicKey) return undefined;
  const d = new Uint8Array(ec.privateKey.buffer);
  const point = new Uint8Array(ec.publicKey);
  if (d.length !== curve.bytes || point.length !== 1 + 2 * curve.bytes || point[0] !== 0x04) return undefined;
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  return createPrivateKey({
    format: "jwk",
    key: { kty: "EC", crv: curve.crv, d: b64(d), x: b64(point.subarray(1, 1 + curve.bytes)), y: b64(point.subarray(1 + curve.bytes)) },
  });
}

/**
 * The bytes are one SEQUENCE with a definite length and nothing after it: the schema parser reads the first
 * element and ignores the rest, so anything else (trailing data, BER's indefinite length) is left to
 * OpenSSL to accept or refuse.
 */
function wholeDer(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1]!;
  if (first < 0x80) return 2 + first === der.length;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 2 || der.length < 2 + octets) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + der[2 + i]!;
  return 2 + octets + length === der.length;
}
