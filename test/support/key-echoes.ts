import type { KeyObject } from "node:crypto";

/**
 * Every slice of a key that a message could echo: 8 characters of its base64 (at every byte alignment,
 * so an echo of a truncated copy is caught too) or 4 bytes in hex, with or without separators. Not 3: the
 * outputs checked hold SHA-256 fingerprints in colon hex, and a chance match of 3 random bytes among them
 * made the check fail about once in a few hundred runs.
 */
export function keyEchoes(text: string, keyDer: Buffer): string[] {
  const found = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const b64 = keyDer.subarray(shift).toString("base64").replace(/=+$/, "");
    for (let i = 0; i + 8 <= b64.length; i++) if (text.includes(b64.slice(i, i + 8))) found.add(b64.slice(i, i + 8));
  }
  const upper = text.toUpperCase();
  for (let i = 0; i + 4 <= keyDer.length; i++) {
    const hex = [...keyDer.subarray(i, i + 4)].map((b) => b.toString(16).padStart(2, "0").toUpperCase());
    for (const sep of ["", " ", ":", "\\X"]) if (upper.includes(hex.join(sep))) found.add(hex.join(sep));
  }
  return [...found];
}

/**
 * The private part of a key (JWK `d`): what must never be echoed. A whole PKCS#8 DER also holds the public
 * key, which certificates legitimately show.
 */
export function secretOf(key: KeyObject): Buffer {
  const d = (key.export({ format: "jwk" }) as { d?: string }).d;
  if (!d) throw new Error("not a private key");
  return Buffer.from(d, "base64url");
}
