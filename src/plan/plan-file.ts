import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { gzipSync } from "node:zlib";
import { PlanSchema, type Plan } from "../model/plan.js";
import { isCompressed, planFileText } from "./plan-file-text.js";

/**
 * Writes a plan file atomically: the plan's JSON (as `plan --format json` prints it), gzip-compressed —
 * at 10,000 certificates the JSON is 70 MB and the file 11 MB; `gzip -dc FILE | jq` reads it. It holds no
 * key: keys are re-read from their sources at apply.
 */
export function savePlan(file: string, json: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, gzipSync(json, { level: 6 }), { mode: 0o600 });
  renameSync(tmp, file);
}

/** Reads a plan file, compressed as savePlan writes it or plain JSON. */
export function loadPlan(file: string): Plan {
  const bytes = readFileSync(file);
  const compressed = isCompressed(bytes);
  let value: unknown;
  try {
    value = JSON.parse(planFileText(bytes));
  } catch (err) {
    throw new Error(`${file} is not a certform plan file: ${compressed ? "its compressed data is damaged" : "it is neither gzip-compressed nor JSON"} (${err instanceof Error ? err.message : String(err)}); make a new one with certform plan --out`);
  }
  const parsed = PlanSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${file} is not a certform plan file (format_version 1): ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** The JSON text of a plan file, for tests and tools that look inside. */
export function readPlanFileText(file: string): string {
  return planFileText(readFileSync(file));
}
