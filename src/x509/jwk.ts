import { createHash, type KeyObject, type X509Certificate } from "node:crypto";

import { certificateKeyShape, loadablePublicKey } from "./key-shape.js";

export type JwkUse = "sig" | "enc";

// RFC 7638 §3.2: the thumbprint covers only the required members, in lexicographic order.
const REQUIRED_MEMBERS: Record<string, string[]> = { RSA: ["e", "kty", "n"], EC: ["crv", "kty", "x", "y"], OKP: ["crv", "kty", "x"] };

/** The RFC 7638 SHA-256 thumbprint of a public JWK, base64url. */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = REQUIRED_MEMBERS[String(jwk.kty)];
  if (!members) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(",")}}`;
  return createHash("sha256").update(canonical).digest("base64url");
}

function defaultAlg(jwk: Record<string, unknown>, use: JwkUse): string | undefined {
  if (jwk.kty === "RSA") return use === "sig" ? "RS256" : "RSA-OAEP-256";
  if (jwk.kty === "EC") return use === "enc" ? "ECDH-ES" : ({ "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" } as Record<string, string>)[String(jwk.crv)];
  if (jwk.kty === "OKP") return use === "sig" ? "EdDSA" : "ECDH-ES";
  return undefined;
}

/** The public JWK of a key (never private members), with kid defaulting to its RFC 7638 thumbprint. */
export function publicJwk(key: KeyObject, opts: { use: JwkUse; alg?: string; kid?: string }): Record<string, unknown> {
  const exported = key.export({ format: "jwk" }) as Record<string, unknown>;
  const pub: Record<string, unknown> = {};
  for (const m of ["kty", "crv", "n", "e", "x", "y"]) if (exported[m] !== undefined) pub[m] = exported[m];
  const alg = opts.alg ?? defaultAlg(pub, opts.use);
  return { ...pub, kid: opts.kid ?? jwkThumbprint(pub), use: opts.use, ...(alg ? { alg } : {}) };
}

/**
 * Why the certificate's public key cannot be published as a JWK, or undefined when it can: JWK has forms
 * for RSA, EC on the curves JOSE names, and Ed25519/Ed448 keys only (not Brainpool, DSA or DH), and a key
 * OpenSSL cannot load has none at all.
 */
export function jwkProblem(cert: X509Certificate): string | undefined {
  const key = loadablePublicKey(cert);
  const shape = certificateKeyShape(cert);
  const what = `${shape.type}${shape.curve ? ` ${shape.curve}` : ""}${shape.algorithm ? ` (OID ${shape.algorithm})` : ""} key`;
  if (!key) return `its ${what} cannot be loaded by OpenSSL`;
  try {
    key.export({ format: "jwk" });
    return undefined;
  } catch {
    return `its ${what} has no JWK form`;
  }
}

/** A JWK derived from a certificate: its public key, with x5c (the chain) and x5t#S256 (RFC 7517 §4.7–4.9). */
export function jwkFromCertificate(chain: readonly X509Certificate[], opts: { use: JwkUse; alg?: string; kid?: string }): Record<string, unknown> {
  const leaf = chain[0];
  if (!leaf) throw new Error("a JWK needs a certificate");
  return {
    ...publicJwk(leaf.publicKey, opts),
    x5c: chain.map((c) => c.raw.toString("base64")),
    "x5t#S256": createHash("sha256").update(leaf.raw).digest("base64url"),
  };
}
