import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";

// OpenSSL 3 decodes a PEM or DER private key through its generic decoder framework, which costs about
// 0.4 ms of CPU per EC key (more on a loaded machine): seconds for 10,000 certificates, in every command
// that reads them and again on every gateway they are written to. The same key imported as a JWK costs
// about 0.05 ms. Nearly every EC key file is laid out exactly as OpenSSL (and Node) write it: the same bytes
// but for the private scalar and the public point. So a key whose DER has that exact layout — learnt once per
// curve from a key Node generates — is imported as a JWK. Anything else (another layout, no public key,
// another curve or key type) returns undefined and takes OpenSSL's path, which also words every error.

type Form = "pkcs8" | "sec1";

interface Layout {
  crv: string;
  bytes: Buffer;
  dAt: number;
  dLength: number;
  pointAt: number;
  coordinate: number;
}

const CURVES = [
  { crv: "P-256", namedCurve: "prime256v1" },
  { crv: "P-384", namedCurve: "secp384r1" },
  { crv: "P-521", namedCurve: "secp521r1" },
] as const;

// By form, then by DER length: the three curves' encodings all differ in length.
const layouts = new Map<Form, Map<number, Layout>>();

function layoutsOf(form: Form): Map<number, Layout> {
  let byLength = layouts.get(form);
  if (!byLength) {
    byLength = new Map();
    for (const { crv, namedCurve } of CURVES) {
      const { privateKey } = generateKeyPairSync("ec", { namedCurve });
      const jwk = privateKey.export({ format: "jwk" });
      const bytes = privateKey.export({ type: form, format: "der" });
      const d = Buffer.from(jwk.d!, "base64url");
      const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
      const dAt = bytes.indexOf(d);
      const pointAt = bytes.indexOf(point);
      // A scalar or point that happens to repeat elsewhere would make the layout ambiguous: skip the curve.
      if (dAt < 0 || pointAt < 0 || bytes.indexOf(d, dAt + 1) >= 0 || bytes.indexOf(point, pointAt + 1) >= 0) continue;
      byLength.set(bytes.length, { crv, bytes, dAt, dLength: d.length, pointAt, coordinate: (point.length - 1) / 2 });
    }
    layouts.set(form, byLength);
  }
  return byLength;
}

/** An unencrypted PKCS#8 ("PRIVATE KEY") EC key in OpenSSL's layout, or undefined. */
export function ecKeyFromPkcs8(der: Uint8Array): KeyObject | undefined {
  return fromLayout(der, "pkcs8");
}

/** An unencrypted SEC1 ("EC PRIVATE KEY") key in OpenSSL's layout, or undefined. */
export function ecKeyFromSec1(der: Uint8Array): KeyObject | undefined {
  return fromLayout(der, "sec1");
}

function fromLayout(input: Uint8Array, form: Form): KeyObject | undefined {
  const layout = layoutsOf(form).get(input.length);
  if (!layout) return undefined;
  const der = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const { bytes, dAt, dLength, pointAt, coordinate } = layout;
  const pointEnd = pointAt + 1 + 2 * coordinate;
  const [first, second] = dAt < pointAt ? [[dAt, dAt + dLength], [pointAt + 1, pointEnd]] : [[pointAt + 1, pointEnd], [dAt, dAt + dLength]];
  // Every byte but the scalar and the point's coordinates is the layout's own (the 0x04 of an uncompressed
  // point included).
  if (!der.subarray(0, first[0]).equals(bytes.subarray(0, first[0]))) return undefined;
  if (!der.subarray(first[1], second[0]).equals(bytes.subarray(first[1], second[0]))) return undefined;
  if (!der.subarray(second[1]).equals(bytes.subarray(second[1]))) return undefined;
  try {
    return createPrivateKey({
      format: "jwk",
      key: {
        kty: "EC",
        crv: layout.crv,
        d: der.subarray(dAt, dAt + dLength).toString("base64url"),
        x: der.subarray(pointAt + 1, pointAt + 1 + coordinate).toString("base64url"),
        y: der.subarray(pointAt + 1 + coordinate, pointEnd).toString("base64url"),
      },
    });
  } catch {
    // A point off the curve, a scalar out of range: OpenSSL's decoder gives the error its wording.
    return undefined;
  }
}
