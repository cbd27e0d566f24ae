import { durationSeconds } from "./duration.js";
import type { Alerts } from "./stack.js";

// One reading of the stack's `alerts:` for every command that judges an expiry date (validate, plan,
// expiry and the plan's markdown), so that they cannot disagree about what is critical.

export type ExpiryLevel = "expired" | "critical" | "warning" | "ok";

const DAY_MS = 86_400_000;

/** floor((notAfter − now) / 86400 s); negative once expired. */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** Whether notAfter − now ≤ the window (expired certificates are inside every window). */
export function insideWindow(notAfter: Date, now: Date, windowSeconds: number): boolean {
  return notAfter.getTime() - now.getTime() <= windowSeconds * 1000;
}

/** expired, inside `criticalBefore`, inside `warnBefore`, or ok. */
export function expiryLevel(notAfter: Date, now: Date, alerts: Alerts): ExpiryLevel {
  if (notAfter.getTime() < now.getTime()) return "expired";
  if (insideWindow(notAfter, now, durationSeconds(alerts.criticalBefore))) return "critical";
  if (insideWindow(notAfter, now, durationSeconds(alerts.warnBefore))) return "warning";
  return "ok";
}

/** Which alert window a level comes from, as a user wrote it: "alerts.criticalBefore 12d". */
export function alertWindowText(level: ExpiryLevel, alerts: Alerts): string {
  if (level === "critical") return `alerts.criticalBefore ${alerts.criticalBefore}`;
  if (level === "warning") return `alerts.warnBefore ${alerts.warnBefore}`;
  return "";
}
