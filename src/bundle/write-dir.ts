import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { assertNoPlainKey } from "./bundle-file.js";
import { ImportError } from "./import-model.js";
import { safeEntryName } from "./limits.js";

/** Refuses an output directory that exists and holds anything: import never overwrites or mixes. */
export function checkOutputDir(dir: string): void {
  if (!existsSync(dir)) return;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new ImportError(`--out ${dir} exists and is not a directory`, "out-exists", "give a new directory");
  }
  if (entries.length > 0) throw new ImportError(`--out ${dir} is not empty`, "out-exists", "give a new or empty directory: import never overwrites files");
}

/**
 * Writes every file into a fresh directory next to `dir`, then renames it into place: the output appears
 * whole or not at all. Keys are written with mode 0600.
 */
export function writeDirectory(dir: string, files: ReadonlyMap<string, string>): void {
  checkOutputDir(dir);
  assertNoPlainKey(files);
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.import-`));
  try {
    for (const [path, text] of files) {
      const full = join(staging, safeEntryName(path));
      if (!full.startsWith(`${staging}${sep}`)) throw new ImportError(`refusing to write ${path}: outside the output directory`, "unsafe-path", "this is a bug in certform; please report it");
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text, { mode: path.startsWith("keys/") ? 0o600 : 0o644 });
    }
    if (existsSync(target)) rmdirSync(target);
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
