import { RESOURCE_KINDS, type SourcePosition } from "../model/index.js";
import { pathKey, type PathSegment, type YamlSource } from "./yaml-source.js";

/** Where a diagnostic about `path` points: the key itself (`key`) or its value (`value`). */
export function locate(src: YamlSource, path: readonly PathSegment[], where: "key" | "value" = "value"): SourcePosition {
  for (let n = path.length; n >= 0; n--) {
    const pos = src.positions.get(pathKey(path.slice(0, n)));
    if (!pos) continue;
    // Pointing into a missing child: the parent's key is the most specific place that exists.
    const p = n < path.length || where === "key" ? (pos.key ?? pos.value) : pos.value;
    return { file: src.file, ...p };
  }
  return { file: src.file, line: 1, column: 1 };
}

/** `certificates.api` for a path inside a resource, `environments.dev` inside an environment. */
export function addressOfPath(path: readonly PathSegment[]): string | undefined {
  const [kind, name] = path;
  if (typeof name !== "string") return undefined;
  if ((RESOURCE_KINDS as readonly unknown[]).includes(kind) || kind === "environments" || kind === "variables" || kind === "policies") return `${String(kind)}.${name}`;
  return undefined;
}

/** `certificates.api.key.file`: a path written the way a user reads it. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}
