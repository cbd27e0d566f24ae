import { readFile } from "node:fs/promises";
import { certificatesToPem, decodeCertificates, decodePrivateKey, fingerprintKey } from "../../x509/index.js";
import { ProviderError, type GeneratedCopy } from "../provider.js";
import type { Layout } from "./layout.js";
import { readLock } from "./locker.js";

/** A generated certificate's chain and key, from the file HAProxy loads, for the holder of the lock only. */
export async function copyGenerated(layout: Layout, node: string, name: string, lockHolder: string): Promise<GeneratedCopy> {
  const lock = await readLock(layout);
  if (lock?.holder !== lockHolder) throw new ProviderError(`node ${node}: copying ${name} needs the environment's lock`, "locked", node, 423);
  const text = await readFile(layout.certificate(name));
  const chain = decodeCertificates(text, { allowPrivateKey: true });
  const key = decodePrivateKey(text);
  return { chain: certificatesToPem(chain), key, fingerprint256: chain[0]!.fingerprint256, keyFingerprint256: fingerprintKey(key) };
}
