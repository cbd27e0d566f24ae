/**
 * The stages of docs/architecture.md, enforced by reading the import statements of src/: a stage imports
 * only src/model and the stages before it, nothing imports cli, production code never imports test/, and
 * model imports nothing of certform's. Co-located *.test.ts files may also use test/support.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./support/cli.js";

/** In pipeline order; a file belongs to the first entry whose folder holds it. */
export const STAGES = [
  "model",
  "x509",
  "gateway/api",
  "schemas",
  "stack",
  "constructs",
  "providers",
  "gateway",
  "plan",
  "render",
  "verify",
  "inventory",
  "apply",
  "bundle",
  "quickstart",
  "cli",
] as const;

const SRC = join(REPO, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

function stageOf(file: string): string | undefined {
  const rel = relative(SRC, file).split("\\").join("/");
  const byDepth = [...STAGES].sort((a, b) => b.split("/").length - a.split("/").length);
  return byDepth.find((s) => rel.startsWith(`${s}/`));
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*"(\.[^"]+)"\s*\)/g)) out.push(m[1]!);
  return out;
}

interface Edge {
  from: string;
  to: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const spec of importsOf(readFileSync(file, "utf8"))) out.push({ from: file, to: resolve(dirname(file), spec) });
  }
  return out;
}

const show = (e: Edge) => `${relative(REPO, e.from)} imports ${relative(REPO, e.to).replace(/\.js$/, ".ts")}`;
const isTest = (file: string) => file.endsWith(".test.ts");

describe("import rules of docs/architecture.md", () => {
  const all = edges();

  it("every source file belongs to a stage", () => {
    expect(sourceFiles(SRC).filter((f) => !stageOf(f) && relative(SRC, f).includes("/")).map((f) => relative(REPO, f))).toEqual([]);
  });

  it("no stage imports a later one, and model imports nothing of certform's", () => {
    const wrong = all.filter((e) => {
      if (isTest(e.from) || !e.to.startsWith(SRC)) return false;
      const from = stageOf(e.from);
      const to = stageOf(e.to);
      if (!from || !to || from === to) return false;
      if (from === "model") return true;
      return STAGES.indexOf(to as (typeof STAGES)[number]) > STAGES.indexOf(from as (typeof STAGES)[number]);
    });
    expect(wrong.map(show)).toEqual([]);
  });

  it("nothing imports cli", () => {
    expect(all.filter((e) => stageOf(e.to) === "cli" && stageOf(e.from) !== "cli").map(show)).toEqual([]);
  });

  it("production code in src/ never imports test/", () => {
    expect(all.filter((e) => !isTest(e.from) && !e.to.startsWith(SRC)).map(show)).toEqual([]);
  });
});
