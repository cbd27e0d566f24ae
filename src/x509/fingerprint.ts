import { createHash, createPublicKey, type KeyObject } from "node:crypto";

/** "AB:CD:…": uppercase hex pairs joined by colons, as X509Certificate#fingerprint256 writes them. */
export function formatFingerprint(digest: Buffer): string {
  return [...digest].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

// A key read once is fingerprinted in every environment that uses it; the export is the costly part.
const fingerprints = new WeakMap<KeyObject, string>();

/** SHA-256 over the public key's SubjectPublicKeyInfo DER; works for private and public keys. */
export function fingerprintKey(key: KeyObject): string {
  const hit = fingerprints.get(key);
  if (hit) return hit;
  const pub = key.type === "public" ? key : createPublicKey(key);
  const spki = pub.export({ type: "spki", format: "der" });
  const fingerprint = formatFingerprint(createHash("sha256").update(spki).digest());
  fingerprints.set(key, fingerprint);
  return fingerprint;
}

/**
 * A SHA-256 pin in canonical form, accepting lowercase and missing colons; undefined when it is
 * not 32 bytes of hex.
 */
export function normalizeSha256(pin: string): string | undefined {
  const hex = pin.trim().replace(/:/g, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  return formatFingerprint(Buffer.from(hex, "hex"));
}
