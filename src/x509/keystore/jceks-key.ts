import { createDecipheriv, createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { TAG, childrenOf, contentOf, isUniversal, parseAs, readBer, smallIntOf } from "../asn1.js";

/** Sun's PBEWithMD5AndTripleDES: how a JCEKS keystore protects its private keys (jks-js reads JKS keys only). */
export const JCEKS_KEY_PROTECTION = "1.3.6.1.4.1.42.2.19.1";

/** Keytool has used 200,000 iterations since Java 12: a key costs 400,000 MD5 rounds, about a second. */
const MAX_ITERATIONS = 5_000_000;

/**
 * The PKCS#8 key inside a JCEKS private-key entry, or undefined when `password` does not open it. Throws an
 * Error naming what is not supported (another protection algorithm, a malformed entry).
 */
export function openJceksKey(protectedKey: Buffer, password: string): KeyObject | undefined {
  const info = parseAs(protectedKey, EncryptedPrivateKeyInfo);
  const algorithm = info.encryptionAlgorithm.algorithm;
  if (algorithm !== JCEKS_KEY_PROTECTION) throw new Error(`the key is protected with algorithm ${algorithm}, not JCEKS's PBEWithMD5AndTripleDES`);
  const params = info.encryptionAlgorithm.parameters ? readBer(new Uint8Array(info.encryptionAlgorithm.parameters)) : undefined;
  const [saltBlock, countBlock] = params && isUniversal(params, TAG.SEQUENCE) ? childrenOf(params) : [];
  const iterations = smallIntOf(countBlock);
  if (!saltBlock || !isUniversal(saltBlock, TAG.OCTET_STRING) || iterations === undefined) throw new Error("the key's protection parameters are malformed");
  const salt = Buffer.from(contentOf(saltBlock));
  if (salt.length !== 8 || iterations < 1 || iterations > MAX_ITERATIONS) throw new Error(`the key's protection parameters are out of range (salt of ${salt.length} bytes, ${iterations} iterations)`);
  // Java takes the password's characters as ASCII bytes; equal salt halves have the first half reversed.
  const pw = Buffer.from(password, "latin1");
  if (salt.subarray(0, 4).equals(salt.subarray(4, 8))) salt.subarray(0, 4).reverse();
  const halves = [0, 1].map((i) => {
    let h: Buffer = salt.subarray(i * 4, i * 4 + 4);
    for (let n = 0; n < iterations; n++) h = createHash("md5").update(h).update(pw).digest();
    return h;
  });
  const derived = Buffer.concat(halves);
  try {
    const decipher = createDecipheriv("des-ede3-cbc", derived.subarray(0, 24), derived.subarray(24, 32));
    const plain = Buffer.concat([decipher.update(Buffer.from(info.encryptedData.buffer)), decipher.final()]);
    return createPrivateKey({ key: plain, format: "der", type: "pkcs8" });
  } catch {
    // Bad padding, or (one time in 256) good padding around garbage: either way the password is wrong.
    return undefined;
  }
}
