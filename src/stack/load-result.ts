import type { Diagnostic } from "../model/index.js";
import type { LoadedStack } from "./merge.js";

/** A stack read from its files (YAML) or its constructs (TypeScript): loaded, unless an error stopped it. */
export interface LoadResult {
  loaded?: LoadedStack;
  diagnostics: Diagnostic[];
}
