import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import type { SourceSite } from "./brand.js";

// Node's message for an import it cannot resolve names the importing file but the trace runs through tsx's
// loader only, so the user's line is found by the specifier in the importer's text.
const ESM = /^Cannot find (?:module|package) '([^']+)' imported from (.+)$/m;
const CJS = /^Cannot find module '([^']+)'\nRequire stack:\n- (.+)$/m;

/** Where the stack's code imports a module that cannot be found, if the error is that. */
export function missingImportSite(err: unknown): SourceSite | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  const m = ESM.exec(String((err as Error).message)) ?? CJS.exec(String((err as Error).message));
  if (!m) return undefined;
  const [, missing, importer] = m as unknown as [string, string, string];
  let text: string;
  try {
    text = readFileSync(importer, "utf8");
  } catch {
    return undefined;
  }
  const strip = (p: string) => p.slice(0, p.length - extname(p).length);
  const names = (spec: string) => (spec.startsWith(".") || spec.startsWith("/") ? resolve(dirname(importer), spec) : spec);
  for (const s of text.matchAll(/(["'])([^"'\n]+)\1/g)) {
    const spec = s[2]!;
    const target = names(spec);
    if (target !== missing && strip(target) !== strip(missing) && !missing.startsWith(`${spec}/`)) continue;
    const before = text.slice(0, s.index! + 1);
    const line = before.split("\n").length;
    return { file: importer, line, column: before.length - before.lastIndexOf("\n") };
  }
  return { file: importer, line: 1, column: 1 };
}
