import { dirname, resolve } from "node:path";
import { StackError, StackFileSchema, type Diagnostic } from "../model/index.js";
import type { LoadResult } from "./load-result.js";
import { mergeStackFiles, type ParsedStackFile } from "./merge.js";
import { schemaIssuesToDiagnostics } from "./schema-issues.js";
import { listStackFiles, readStackFile } from "./stack-files.js";
import { typeScriptEntry } from "./typescript/entry.js";
import { parseYamlSource } from "./yaml-source.js";

/**
 * Reads, parses and schema-checks every file of a stack, then merges them. A TypeScript stack (a .ts file, a
 * directory with a main.ts, a cdktf.json's app) is run in process and read from its constructs instead.
 */
export async function loadStack(paths: readonly string[]): Promise<LoadResult> {
  let entry;
  try {
    entry = typeScriptEntry(paths);
  } catch (err) {
    if (err instanceof StackError) return { diagnostics: err.diagnostics };
    throw err;
  }
  if (!entry) return loadYamlStack(paths);
  // Loaded on use: YAML stacks do not pay for tsx and cdktf.
  const { loadTypeScriptStack } = await import("./typescript/load.js");
  return loadTypeScriptStack(entry);
}

function loadYamlStack(paths: readonly string[]): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const parsed: ParsedStackFile[] = [];
  let files: string[];
  try {
    files = listStackFiles(paths);
  } catch (err) {
    if (err instanceof StackError) return { diagnostics: err.diagnostics };
    throw err;
  }
  for (const file of files) {
    try {
      const { name, text } = readStackFile(file);
      const src = parseYamlSource(name, text);
      const result = StackFileSchema.safeParse(src.value);
      if (!result.success) {
        diagnostics.push(...schemaIssuesToDiagnostics(StackFileSchema, src, result.error.issues));
        continue;
      }
      parsed.push({ src, baseDir: dirname(resolve(file)), value: result.data });
    } catch (err) {
      if (err instanceof StackError) diagnostics.push(...err.diagnostics);
      else throw err;
    }
  }
  if (diagnostics.length > 0 || parsed.length === 0) return { diagnostics };
  const merged = mergeStackFiles(parsed);
  return { loaded: merged.loaded, diagnostics: merged.diagnostics };
}
