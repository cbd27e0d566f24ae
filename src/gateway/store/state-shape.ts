import { COLLECTIONS } from "../api/admin-api.js";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Why a parsed store file is not a state document, or undefined. Only the envelope is checked: the
 * objects were validated when they were written, and the file is the node's own.
 */
export function checkStateShape(value: unknown): string | undefined {
  if (!isRecord(value)) return "not a JSON object";
  if (value.format !== 1) return `format ${JSON.stringify(value.format)} is not 1`;
  if (typeof value.node !== "string" || typeof value.environment !== "string") return "node or environment missing";
  if (typeof value.revision !== "number" || !Number.isInteger(value.revision) || value.revision < 0) return "revision is not a non-negative integer";
  for (const c of COLLECTIONS) if (!isRecord(value[c])) return `${c} is not an object`;
  if (value.requests !== undefined && !isRecord(value.requests)) return "requests is not an object";
  if (value.lock !== null && !isRecord(value.lock)) return "lock is neither null nor an object";
  return undefined;
}
