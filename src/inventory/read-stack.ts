import type { Diagnostic } from "../model/index.js";
import { readStack, type DesiredState } from "../stack/index.js";

// expiry and list read the gateways, not the stack's material: they need the environments, their gateway
// settings and the alerts, and nothing else. A resource with an error (an expired file, a missing key) must
// not stop them; `expiry` is what a team runs exactly when certificates are in trouble.

export type InventoryStack = { state: DesiredState; skipped: Diagnostic[] } | { errors: Diagnostic[] };

/** The stack's environments and alerts; errors only where they concern those (or nothing could be read). */
export async function readInventoryStack(paths: string[], environments?: string[]): Promise<InventoryStack> {
  const read = await readStack(paths, { requireGatewayEnv: true, capture: false, ...(environments ? { environments } : {}) });
  const errors = read.diagnostics.filter((d) => d.severity === "error");
  const blocking = errors.filter((d) => d.address === undefined || d.address.startsWith("environments."));
  if (!read.state || blocking.length > 0) return { errors: blocking.length > 0 ? blocking : errors };
  return { state: read.state, skipped: errors };
}
