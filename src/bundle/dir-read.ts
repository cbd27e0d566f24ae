import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { showEntry, sizeGuard, UnsafeBundleError, type ReadLimits } from "./limits.js";

/**
 * Every regular file under a directory (a WSO2 apictl project, an unpacked export), by / separated path
 * relative to it. Symbolic links and other special files are refused, as in a ZIP; so is too much data.
 */
export function readDirectory(root: string, limits: ReadLimits): Map<string, Buffer> {
  const guard = sizeGuard(limits);
  const out = new Map<string, Buffer>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const rel = prefix ? `${prefix}/${name}` : name;
      const full = join(dir, name);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) throw new UnsafeBundleError(`entry ${showEntry(rel)} is a symbolic link; links are refused; nothing was written`, "link", rel);
      if (st.isDirectory()) walk(full, rel);
      else if (st.isFile()) {
        guard(rel, st.size);
        out.set(rel, readFileSync(full));
      } else throw new UnsafeBundleError(`entry ${showEntry(rel)} is not a regular file; nothing was written`, "link", rel);
    }
  };
  walk(root, "");
  return out;
}
