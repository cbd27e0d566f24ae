import type { ResourceKind } from "./names.js";

/**
 * The dependency order, as data, in one place: each level depends only on the levels before it.
 * Creates and updates run level by level from the top; deletes run from the bottom. Kinds at one level are
 * independent of each other.
 */
export const DEPENDENCY_LEVELS: readonly (readonly ResourceKind[])[] = [
  ["trustedCertificates", "certificates"],
  ["endpoints"],
  ["trustAssignments"],
  ["jwks"],
];

const LEVEL_OF = new Map<ResourceKind, number>(DEPENDENCY_LEVELS.flatMap((kinds, level) => kinds.map((k) => [k, level] as const)));

/** The step of a write: puts 1…L top-down, then deletes bottom-up, so that nothing refers to a missing object. */
export function stepOf(kind: ResourceKind, op: "put" | "delete"): number {
  const level = LEVEL_OF.get(kind)!;
  return op === "put" ? level + 1 : DEPENDENCY_LEVELS.length + (DEPENDENCY_LEVELS.length - level);
}

/** The gateway collection that holds each resource kind. */
export const COLLECTION_OF = {
  certificates: "certificates",
  trustedCertificates: "trusted",
  endpoints: "endpoints",
  trustAssignments: "trust",
  jwks: "jwks",
} as const satisfies Record<ResourceKind, string>;

export const KIND_OF_COLLECTION = Object.fromEntries(Object.entries(COLLECTION_OF).map(([k, c]) => [c, k])) as Record<
  (typeof COLLECTION_OF)[ResourceKind],
  ResourceKind
>;
