// What a node's data directory holds on disk, for tests that check what a write left there.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Every file of a data directory (snapshot and journals), in name order, as one text. */
export async function storeText(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const parts = await Promise.all(names.map(async (n) => `== ${n}\n${await readFile(join(dir, n), "latin1")}`));
  return parts.join("\n");
}
