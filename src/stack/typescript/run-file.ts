import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * tsx is an optional peer dependency: only TypeScript stacks need it, and installing it brings esbuild and its
 * install script into every user's tree. Its absence is told apart from any other failure while a stack runs.
 */
export class TsxMissing extends Error {
  override readonly name = "TsxMissing";
}

let counter = 0;

/**
 * Runs a stack file with tsx as Node would run it: an ES module (`.mts`, or `.ts` under a package.json with
 * "type": "module") through tsx's import, CommonJS (`.cts`, or `.ts` elsewhere) through tsx's require, which
 * keeps the file's own positions in stack traces. Either way the file runs anew on every call.
 */
export async function runStackFile(file: string): Promise<void> {
  if (isCommonJs(file)) {
    const { register } = (await importTsx("tsx/cjs/api", file)) as typeof import("tsx/cjs/api");
    const scope = register({ namespace: `certform-${process.pid}-${++counter}` });
    try {
      scope.require(file, import.meta.url);
    } finally {
      scope.unregister();
    }
    return;
  }
  const { tsImport } = (await importTsx("tsx/esm/api", file)) as typeof import("tsx/esm/api");
  await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url });
}

/** tsx beside certform (a hoisted peer or certform's own dev dependency), else the one the stack's project has. */
async function importTsx(specifier: string, file: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  let resolved: string;
  try {
    resolved = createRequire(file).resolve(specifier);
  } catch {
    throw new TsxMissing(`tsx is not installed: certform runs TypeScript stacks with tsx`);
  }
  return import(pathToFileURL(resolved).href);
}

const isNotFound = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && /['"]tsx['"/]/.test(String((err as Error).message));
};

/** Whether Node would load the file as CommonJS: by extension, else by the nearest package.json's "type". */
function isCommonJs(file: string): boolean {
  if (/\.c[tj]sx?$/i.test(file)) return true;
  if (/\.m[tj]sx?$/i.test(file)) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type !== "module";
      } catch {
        return true;
      }
    }
    if (dirname(dir) === dir) return true;
  }
}
