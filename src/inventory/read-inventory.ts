import type { Alerts } from "../model/index.js";
import type { NodeProblem } from "../model/expiry-report.js";
import { fetchLiveState } from "../plan/index.js";
import { withProviders } from "../providers/for-environment.js";
import type { LiveNode } from "../providers/provider.js";
import type { DesiredState } from "../stack/index.js";

/** What the gateways of a stack's environments hold, every object of every node, as read. */
export interface Inventory {
  stack: string;
  alerts: Alerts;
  /** In the stack's order; `read` holds the nodes that answered, in the order of `nodes`. */
  environments: { name: string; nodes: string[]; read: LiveNode[] }[];
  /** Nodes that could not be read: never skipped silently. */
  problems: NodeProblem[];
}

/** Reads every node of every environment through its provider (the same read plan makes). */
export async function readInventory(state: DesiredState): Promise<Inventory> {
  const { live, problems } = await withProviders(state, (providers) => fetchLiveState(state, providers));
  return {
    stack: state.stack,
    alerts: state.alerts,
    environments: state.environments.map((env) => ({ name: env.name, nodes: env.spec.gateway.nodes, read: live.get(env.name) ?? [] })),
    problems: problems.map((p) => ({ environment: p.address.replace(/^environments\./, ""), node: p.node ?? "", code: p.code, message: p.message, hint: p.hint })),
  };
}
