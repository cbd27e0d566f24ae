import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { StackError, type Diagnostic } from "../../model/index.js";
import { lineIndex } from "../line-index.js";

/** A TypeScript stack to load: the .ts file (absolute) and how the user named it. */
export interface TypeScriptEntry {
  file: string;
  given: string;
}

const TS_FILE = /\.[cm]?tsx?$/i;
const YAML_FILE = /\.ya?ml$/i;

/**
 * The TypeScript stack among `paths`, if they name one: a .ts file, a directory without YAML files that holds
 * a cdktf.json (its `app`) or a main.ts, or a cdktf.json. Anything else is left to the YAML loader, exactly as
 * before. A TypeScript stack is loaded on its own; throws a StackError when it is given with other paths.
 */
export function typeScriptEntry(paths: readonly string[]): TypeScriptEntry | undefined {
  const found = paths.map((p) => [p, entryOf(p)] as const).filter((e): e is readonly [string, string] => e[1] !== undefined);
  if (found.length === 0) return undefined;
  if (paths.length > 1) {
    const [given] = found[0]!;
    throw new StackError([{
      severity: "error",
      code: "stack-mixed",
      file: given,
      line: 1,
      column: 1,
      message: `${given} is a TypeScript stack, and a TypeScript stack is loaded on its own (${paths.length} paths were given)`,
      hint: "give the TypeScript stack alone; it declares everything of its stack",
    }]);
  }
  const [given, file] = found[0]!;
  return { given, file };
}

function entryOf(p: string): string | undefined {
  let st;
  try {
    st = statSync(p);
  } catch {
    return undefined;
  }
  if (st.isFile()) {
    if (TS_FILE.test(p)) return resolve(p);
    return basename(p) === "cdktf.json" ? appOf(p) : undefined;
  }
  if (!st.isDirectory()) return undefined;
  const names = readdirSync(p);
  if (names.some((n) => YAML_FILE.test(n))) return undefined;
  if (names.includes("cdktf.json")) return appOf(join(p, "cdktf.json"));
  return names.includes("main.ts") ? resolve(p, "main.ts") : undefined;
}

/** The .ts file that cdktf.json's `app` runs, e.g. "npx tsx main.ts" (relative to cdktf.json's directory). */
function appOf(cdktfJson: string): string {
  const shown = relative(process.cwd(), cdktfJson) || cdktfJson;
  const text = readFileSync(cdktfJson, "utf8");
  const fail = (message: string, hint: string, offset = 0): never => {
    const d: Diagnostic = { severity: "error", code: "cdktf-app", file: shown, ...lineIndex(text)(offset), message, hint };
    throw new StackError([d]);
  };
  let app: unknown;
  try {
    app = (JSON.parse(text) as { app?: unknown }).app;
  } catch (err) {
    fail(`${shown} is not JSON: ${(err as Error).message}`, "fix the JSON");
  }
  const at = Math.max(0, text.indexOf('"app"'));
  if (typeof app !== "string") return fail(`${shown} has no "app"`, 'add "app": "npx tsx main.ts"', at);
  const file = app.split(/\s+/).find((t) => TS_FILE.test(t));
  if (!file) return fail(`${shown}: the app "${app}" runs no .ts file`, 'certform loads TypeScript apps run with tsx or ts-node, e.g. "app": "npx tsx main.ts"', at);
  const abs = resolve(dirname(cdktfJson), file.replace(/^["']|["']$/g, ""));
  if (!existsSync(abs)) return fail(`${shown}: the app's file ${relative(process.cwd(), abs) || abs} does not exist`, "fix the path in app", at);
  return abs;
}
