import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto";

// A pending key goes from one node of an environment to another sealed to the receiving node: X25519 with a
// one-off sender key, HKDF-SHA-256, AES-256-GCM. certform carries the sealed copy between the nodes and
// never holds the key itself. The receiving node's transfer key lives in its memory only: a copy sealed to a
// node that restarted since cannot be opened, and apply is simply run again.

export interface SealedKey {
  /** The sender's one-off X25519 public key (SPKI DER, base64). */
  ephemeral: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface TransferKey {
  /** SPKI DER, base64: what GET /v1/transfer-key answers. */
  publicKey: string;
  privateKey: KeyObject;
}

const INFO = Buffer.from("certform pending key transfer v1");

export function newTransferKey(): TransferKey {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  return { publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"), privateKey };
}

function secret(privateKey: KeyObject, peer: string, ephemeral: string, recipient: string): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.from(peer, "base64"), format: "der", type: "spki" }) });
  return Buffer.from(hkdfSync("sha256", shared, Buffer.from(`${ephemeral}|${recipient}`), INFO, 32));
}

/** Seals `plaintext` to the node whose transfer key is `recipient` (base64 SPKI); throws on a key that is not X25519. */
export function seal(plaintext: Buffer, recipient: string): SealedKey {
  const peer = createPublicKey({ key: Buffer.from(recipient, "base64"), format: "der", type: "spki" });
  if (peer.asymmetricKeyType !== "x25519") throw new Error("the recipient's transfer key is not an X25519 key");
  const one = newTransferKey();
  const key = secret(one.privateKey, recipient, one.publicKey, recipient);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(recipient));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ephemeral: one.publicKey, iv: iv.toString("base64"), ciphertext: ciphertext.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
}

/** Opens a copy sealed to `own`; undefined when it was sealed to another key (or altered on the way). */
export function openSealed(sealed: SealedKey, own: TransferKey): Buffer | undefined {
  try {
    const key = secret(own.privateKey, sealed.ephemeral, sealed.ephemeral, own.publicKey);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(Buffer.from(own.publicKey));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
  } catch {
    return undefined;
  }
}
