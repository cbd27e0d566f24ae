import { X509Certificate, createHash, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issue, makeCa } from "../../test/support/pki.js";
import { jwkFromCertificate, jwkThumbprint, publicJwk } from "./jwk.js";

describe("JWKs from certificates", () => {
  it("publishes the public key only, kid = RFC 7638 thumbprint, with x5c and x5t#S256", async () => {
    const ca = await makeCa();
    const leaf = await issue({ hosts: ["signing.example.com"], issuer: ca, keyType: "rsa-2048" });
    const jwk = jwkFromCertificate([leaf.certificate, ca.certificate], { use: "sig" });
    expect(Object.keys(jwk).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use", "x5c", "x5t#S256"]);
    expect(jwk).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256" });
    expect(jwk.kid).toBe(jwkThumbprint(jwk));
    // The JWK is the certificate's key: importing it gives the same public key.
    const imported = createPublicKey({ key: jwk as never, format: "jwk" });
    expect(imported.equals(leaf.certificate.publicKey)).toBe(true);
    const x5c = jwk.x5c as string[];
    expect(new X509Certificate(Buffer.from(x5c[0]!, "base64")).fingerprint256).toBe(leaf.certificate.fingerprint256);
    expect(Buffer.from(jwk["x5t#S256"] as string, "base64url").toString("hex").toUpperCase()).toBe(leaf.certificate.fingerprint256.replace(/:/g, ""));
  });

  it("EC keys get ES256/ES384, an explicit kid and alg win, and no private member ever appears", async () => {
    const p256 = await issue({ hosts: ["a.example.com"], keyType: "ec-p256" });
    expect(publicJwk(p256.key, { use: "sig" })).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    const p384 = await issue({ hosts: ["a.example.com"], keyType: "ec-p384" });
    const jwk = publicJwk(p384.key, { use: "enc", kid: "mine", alg: "ECDH-ES+A256KW" });
    expect(jwk).toMatchObject({ crv: "P-384", kid: "mine", alg: "ECDH-ES+A256KW", use: "enc" });
    expect(jwk.d).toBeUndefined();
  });

  it("the thumbprint follows RFC 7638's canonical form", () => {
    // Members in lexicographic order, no white space, other members ignored.
    const jwk = { kty: "EC", crv: "P-256", x: "abc", y: "def", kid: "ignored", use: "sig" };
    const expected = Buffer.from(createHash("sha256").update('{"crv":"P-256","kty":"EC","x":"abc","y":"def"}').digest()).toString("base64url");
    expect(jwkThumbprint(jwk)).toBe(expected);
  });
});
