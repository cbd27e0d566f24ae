import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PlanSchema, type Plan } from "../model/plan.js";

/** Writes a plan file atomically. It holds no key: keys are re-read from their sources at apply. */
export function savePlan(file: string, json: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, json, { mode: 0o600 });
  renameSync(tmp, file);
}

export function loadPlan(file: string): Plan {
  const parsed = PlanSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a certform plan file (format_version 1): ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}
