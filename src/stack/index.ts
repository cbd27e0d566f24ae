export * from "./desired-state.js";
export { readStack, type ReadStackOptions, type ReadStackResult } from "./validate-stack.js";
export { loadStack } from "./load-stack.js";
export { diagnose, type Problem } from "./diagnose.js";
export type { LoadedStack, Origin } from "./merge.js";
export { parseYamlSource, type YamlSource } from "./yaml-source.js";
