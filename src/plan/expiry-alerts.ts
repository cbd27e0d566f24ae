import { alertWindowText, daysUntil, expiryLevel, type Alerts, type Diagnostic } from "../model/index.js";
import type { Plan, ResourceChangeValue } from "../model/plan.js";
import { diagnose, type EnvironmentState } from "../stack/index.js";

// The plan's side of `alerts:`. A certificate the stack brings (file, pem, url …) was judged when the stack
// was read: validate's `expiring` finding names the file, and the plan carries it. What only the gateway
// knows is judged here: the notAfter of a generated certificate the plan keeps. Inside criticalBefore it is
// an error (no plan), unless the plan replaces it; inside warnBefore, a warning.

const KEPT: ReadonlySet<ResourceChangeValue["action"]> = new Set(["no-op", "update"]);

export function expiryAlerts(env: EnvironmentState, changes: readonly ResourceChangeValue[], alerts: Alerts, now: Date): { errors: Diagnostic[]; warnings: Plan["warnings"] } {
  const errors: Diagnostic[] = [];
  const warnings: Plan["warnings"] = [];
  const generated = new Map(env.certificates.filter((c) => c.spec.generate && !c.spec.generate.csr).map((c) => [c.address, c]));
  for (const change of changes) {
    const inst = generated.get(change.address);
    const notAfter = change.before?.certificate?.notAfter;
    if (!inst || !notAfter || !KEPT.has(change.action)) continue;
    const level = expiryLevel(new Date(notAfter), now, alerts);
    if (level === "ok") continue;
    const left = daysUntil(new Date(notAfter), now);
    const when = level === "expired" ? `expired on ${notAfter.slice(0, 10)}` : `expires on ${notAfter.slice(0, 10)} (${left} day${left === 1 ? "" : "s"} left, inside ${alertWindowText(level, alerts)})`;
    const renewBefore = inst.spec.generate!.renewBefore;
    const message = `the generated certificate on the gateway ${when}, and this plan keeps it: renewBefore is ${renewBefore}`;
    if (level === "warning") {
      warnings.push({ address: change.address, code: "expiring", message });
      continue;
    }
    errors.push(
      diagnose(inst.origin, change.address, {
        code: "expiring",
        message,
        hint: `make generate.renewBefore at least alerts.criticalBefore ${alerts.criticalBefore} (and shorter than validity), so that plan renews it; or run certform renew ${change.address}`,
        field: ["generate", "renewBefore"],
      }),
    );
  }
  return { errors, warnings };
}
