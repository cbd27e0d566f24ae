import type { Diagnostic } from "../model/index.js";
import { readStack, type DesiredState } from "../stack/index.js";
import type { PlanFailure } from "./make-plan.js";

/** A stack read without errors: the one value plan, and apply after it, take from the files. */
export interface StackRead {
  /** Where it was read from; a saved plan records them, so that `apply PLANFILE` reads the same stack. */
  paths: string[];
  /** The environments the read was limited to (--env), or null for all. */
  environments: string[] | null;
  state: DesiredState;
  /** Its warnings, which the plan carries. */
  warnings: Diagnostic[];
}

/**
 * Reads the stack once, as plan and apply need it: url: sources captured, every ${env:…} of the gateway
 * settings set. An error anywhere is no plan.
 */
export async function readForPlan(paths: string[], opts: { env?: string[] } = {}): Promise<{ stack: StackRead } | { failed: PlanFailure }> {
  const read = await readStack(paths, { requireGatewayEnv: true, ...(opts.env ? { environments: opts.env } : {}) });
  if (!read.state || read.diagnostics.some((d) => d.severity === "error")) return { failed: { diagnostics: read.diagnostics, problems: [] } };
  return { stack: { paths, environments: opts.env ?? null, state: read.state, warnings: read.diagnostics.filter((d) => d.severity === "warning") } };
}
