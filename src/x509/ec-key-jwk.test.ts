import { createPrivateKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePrivateKey } from "./decode-key.js";
import { ecKeyFromPkcs8, ecKeyFromSec1 } from "./ec-key-jwk.js";

// The JWK route must give exactly the key OpenSSL's decoder gives, or step aside.
const pkcs8 = (k: KeyObject) => k.export({ type: "pkcs8", format: "der" });
const sec1 = (k: KeyObject) => k.export({ type: "sec1", format: "der" });

describe("EC keys read through their ASN.1 schema", () => {
  for (const namedCurve of ["P-256", "P-384", "P-521"]) {
    it(`${namedCurve}: PKCS#8 and SEC1, PEM and DER, are the same key as OpenSSL reads`, () => {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve });
      const viaPkcs8 = ecKeyFromPkcs8(pkcs8(privateKey));
      const viaSec1 = ecKeyFromSec1(sec1(privateKey));
      expect(viaPkcs8).toBeDefined();
      expect(viaSec1).toBeDefined();
      for (const k of [viaPkcs8!, viaSec1!, decodePrivateKey(privateKey.export({ type: "pkcs8", format: "pem" })), decodePrivateKey(privateKey.export({ type: "sec1", format: "pem" })), decodePrivateKey(pkcs8(privateKey))]) {
        expect(pkcs8(k).equals(pkcs8(privateKey))).toBe(true);
        expect(k.asymmetricKeyDetails).toEqual({ namedCurve: namedCurve === "P-256" ? "prime256v1" : namedCurve === "P-384" ? "secp384r1" : "secp521r1" });
        expect(verify(null, Buffer.from("x"), publicKey, sign(null, Buffer.from("x"), k))).toBe(true);
      }
    });
  }

  it("takes a byte changed anywhere but in the scalar or the point as another layout, and steps aside", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = pkcs8(privateKey);
    const jwk = privateKey.export({ format: "jwk" });
    const d = Buffer.from(jwk.d!, "base64url");
    const xy = Buffer.concat([Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
    const inside = (i: number, part: Buffer) => i >= der.indexOf(part) && i < der.indexOf(part) + part.length;
    let checked = 0;
    for (let i = 0; i < der.length; i++) {
      if (inside(i, d) || inside(i, xy)) continue;
      const changed = Buffer.from(der);
      changed[i] = changed[i]! ^ 0x01;
      expect(ecKeyFromPkcs8(changed), `byte ${i}`).toBeUndefined();
      checked++;
    }
    expect(checked).toBe(der.length - 32 - 64);
  });

  it("steps aside for what is not the common form, and OpenSSL still reads it", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    // SEC1 without its public key: valid, but only OpenSSL can derive the point.
    const noPublic = createPrivateKey({ key: withoutPublicKey(sec1(privateKey)), format: "der", type: "sec1" });
    expect(ecKeyFromSec1(withoutPublicKey(sec1(privateKey)))).toBeUndefined();
    expect(pkcs8(noPublic).length).toBeGreaterThan(0);
    // Trailing bytes, other curves and other key types are not taken.
    expect(ecKeyFromPkcs8(Buffer.concat([pkcs8(privateKey), Buffer.from([0])]))).toBeUndefined();
    expect(ecKeyFromPkcs8(pkcs8(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey))).toBeUndefined();
    expect(ecKeyFromPkcs8(pkcs8(generateKeyPairSync("ed25519").privateKey))).toBeUndefined();
    expect(ecKeyFromPkcs8(pkcs8(generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey))).toBeUndefined();
    expect(ecKeyFromPkcs8(Buffer.from("not der"))).toBeUndefined();
  });
});

/** SEC1 ECPrivateKey with its optional [1] publicKey dropped (rebuilt by hand: a fixture, not a reader). */
function withoutPublicKey(der: Buffer): Buffer {
  // SEQUENCE { INTEGER 1, OCTET STRING d, [0] curve, [1] publicKey }: P-256 lengths are all short-form.
  const body = der.subarray(2);
  const versionAndD = body.subarray(0, 3 + 2 + body[4]!);
  const rest = body.subarray(versionAndD.length);
  const params = rest.subarray(0, 2 + rest[1]!);
  const inner = Buffer.concat([versionAndD, params]);
  return Buffer.concat([Buffer.from([0x30, inner.length]), inner]);
}
