// What a node's data directory holds on disk, for tests that check what a write left there.
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Every file of a data directory (snapshot and journals), in name order, as one text. */
export async function storeText(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const parts = await Promise.all(names.map(async (n) => `== ${n}\n${await readFile(join(dir, n), "latin1")}`));
  return parts.join("\n");
}

/** The keys a node holds (brought, generated, and those of pending signing requests), as its store on disk has them. */
export async function storedKeys(dataDir: string): Promise<KeyObject[]> {
  const text = (await storeText(dataDir)).replace(/\\n/g, "\n");
  return [...text.matchAll(/-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+?-----END PRIVATE KEY-----/g)].map((m) => createPrivateKey(m[0]));
}
