import type { Diagnostic } from "../model/index.js";
import type { PolicyFileValue } from "../model/plan.js";
import { readStack, type DesiredState } from "../stack/index.js";
import type { PlanFailure } from "./make-plan.js";

/** A stack read without errors: the one value plan, and apply after it, take from the files. */
export interface StackRead {
  /** Where it was read from; a saved plan records them, so that `apply PLANFILE` reads the same stack. */
  paths: string[];
  /** The --policy files checked, with the SHA-256 of each: a saved plan records them, and apply checks them again. */
  policyFiles: PolicyFileValue[];
  /** The environments the read was limited to (--env), or null for all. */
  environments: string[] | null;
  state: DesiredState;
  /** Its warnings, which the plan carries. */
  warnings: Diagnostic[];
}

// Findings about a certificate's validity window, and policy findings: they stop a plan that would serve it,
// never one that removes it.
const VALIDITY_CODES: ReadonlySet<string> = new Set(["expired", "expiring", "not-yet-valid"]);

/**
 * Reads the stack once, as plan and apply need it: url: sources captured, every ${env:…} of the gateway
 * settings set. An error anywhere is no plan, except, for `destroy`, an expired or expiring certificate:
 * removing it is the point.
 */
export async function readForPlan(paths: string[], opts: { env?: string[]; destroy?: boolean; policy?: string[] } = {}): Promise<{ stack: StackRead } | { failed: PlanFailure }> {
  const read = await readStack(paths, { requireGatewayEnv: true, ...(opts.env ? { environments: opts.env } : {}), ...(opts.policy ? { policyFiles: opts.policy } : {}) });
  const removable = (code: string) => VALIDITY_CODES.has(code) || code.startsWith("policy-");
  const diagnostics = opts.destroy ? read.diagnostics.map((d) => (d.severity === "error" && removable(d.code) ? { ...d, severity: "warning" as const } : d)) : read.diagnostics;
  if (!read.state || diagnostics.some((d) => d.severity === "error")) {
    const policyExceptions = opts.destroy ? undefined : read.state?.policyExceptions;
    return { failed: { diagnostics, problems: [], ...(policyExceptions ? { policyExceptions } : {}) } };
  }
  return { stack: { paths, policyFiles: read.policyFiles ?? [], environments: opts.env ?? null, state: read.state, warnings: diagnostics.filter((d) => d.severity === "warning") } };
}
