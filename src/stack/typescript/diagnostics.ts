import type { Diagnostic } from "../../model/index.js";
import type { Origin } from "../merge.js";
import type { YamlSource } from "../yaml-source.js";

/**
 * A construct seen as a source: the file and line where it was created stand for every field it declares,
 * and `constructPath` names it in messages.
 */
export interface ConstructSource extends YamlSource {
  constructPath: string;
}

export function isConstructSource(src: YamlSource): src is ConstructSource {
  return typeof (src as Partial<ConstructSource>).constructPath === "string";
}

/**
 * Names the construct a diagnostic is about, e.g. "… (construct payments/backends/ledger)", for stacks read
 * from constructs: the address says what is wrong, the construct path where in the tree it was declared.
 * Diagnostics of YAML stacks come back as they are.
 */
export function withConstructPaths(loaded: { origins: ReadonlyMap<string, Origin> } | undefined, diagnostics: Diagnostic[]): Diagnostic[] {
  if (!loaded) return diagnostics;
  const origins = [...loaded.origins.values()];
  if (!origins.some((o) => isConstructSource(o.src))) return diagnostics;
  return diagnostics.map((d) => {
    const declaration = d.address?.replace(/\[[^\]]*\]$/, "");
    const origin = (declaration !== undefined ? loaded.origins.get(declaration) : undefined)
      ?? origins.find((o) => o.src.file === d.file && [...o.src.positions.values()].some((p) => p.value.line === d.line && p.value.column === d.column));
    if (!origin || !isConstructSource(origin.src) || / \(constructs? [^)]*\)$/.test(d.message)) return d;
    return { ...d, message: `${d.message} (construct ${origin.src.constructPath})` };
  });
}
