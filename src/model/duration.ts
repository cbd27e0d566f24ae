import { z } from "zod";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 } as const;
export const DURATION_PATTERN = /^([1-9][0-9]{0,5})(s|m|h|d|w|y)$/;

export const DurationSchema = z
  .string()
  .regex(DURATION_PATTERN, "a duration is a whole number and a unit: s, m, h, d, w or y, e.g. 90d")
  .meta({ id: "Duration", description: "A duration: a number and a unit (s, m, h, d, w, y), e.g. 30d." });

/** Seconds in a duration such as `90d`; the schema has already checked the form. */
export function durationSeconds(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

export function durationDays(text: string): number {
  return durationSeconds(text) / 86400;
}
