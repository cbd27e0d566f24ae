import type { KeyObject } from "node:crypto";

/**
 * Every slice of a key that a message could echo: 8 characters of its base64 or base64url (at every byte
 * alignment, so an echo of a truncated copy is caught too) or `hexBytes` bytes in hex, with or without
 * separators. Not 3 bytes: the outputs checked hold SHA-256 fingerprints in colon hex, and a chance match of
 * 3 random bytes among them made the check fail about once in a few hundred runs. A test that scans many
 * outputs full of hex (plans, bundles, lists) uses 6 for the same reason.
 */
export function keyEchoes(text: string, keyDer: Buffer, opts: { hexBytes?: number } = {}): string[] {
  const found = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const b64 = keyDer.subarray(shift).toString("base64").replace(/=+$/, "");
    const b64url = keyDer.subarray(shift).toString("base64url");
    for (const encoded of b64 === b64url ? [b64] : [b64, b64url]) {
      for (let i = 0; i + 8 <= encoded.length; i++) if (text.includes(encoded.slice(i, i + 8))) found.add(encoded.slice(i, i + 8));
    }
  }
  const width = opts.hexBytes ?? 4;
  const upper = text.toUpperCase();
  for (let i = 0; i + width <= keyDer.length; i++) {
    const hex = [...keyDer.subarray(i, i + width)].map((b) => b.toString(16).padStart(2, "0").toUpperCase());
    for (const sep of ["", " ", ":", "\\X"]) if (upper.includes(hex.join(sep))) found.add(hex.join(sep));
  }
  return [...found];
}

/** 8-byte slices of `secret` found as raw bytes in `data` (a DER file, a ZIP entry, binary stdout). */
export function rawEchoes(data: Buffer, secret: Buffer): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) if (data.includes(secret.subarray(i, i + 8))) found.push(secret.subarray(i, i + 8).toString("hex"));
  return found;
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

/** Every private member of a key's JWK: `d`, and for RSA `p`, `q`, `dp`, `dq`, `qi` (any one gives the key away). */
export function secretsOf(key: KeyObject): Buffer[] {
  const jwk = key.export({ format: "jwk" }) as Record<string, unknown>;
  const parts = ["d", "p", "q", "dp", "dq", "qi"].map((k) => jwk[k]).filter((v): v is string => typeof v === "string");
  if (parts.length === 0) throw new Error("not a private key");
  return parts.map((v) => Buffer.from(v, "base64url"));
}

/** A JWK's private members written out in JSON: `"d": "…"` and the RSA CRT members. */
export const JWK_PRIVATE_MEMBER = /"(d|p|q|dp|dq|qi)"\s*:\s*"[A-Za-z0-9_-]{16,}/;
