import type { LiveNode } from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";
import type { DesiredState } from "../stack/index.js";
import type { PlanProblem } from "./diff-node.js";
import { providerForEnvironment } from "./providers.js";

/** Reads every node of every environment, in parallel; a node that cannot be read is a problem, never skipped. */
export async function fetchLiveState(state: DesiredState): Promise<{ live: Map<string, LiveNode[]>; problems: PlanProblem[] }> {
  const live = new Map<string, LiveNode[]>();
  const problems: PlanProblem[] = [];
  await Promise.all(
    state.environments.map(async (env) => {
      const provider = providerForEnvironment(env);
      try {
        const nodes = await Promise.all(
          env.spec.gateway.nodes.map((node) =>
            provider.read(node).catch((err: unknown) => {
              if (err instanceof ProviderError) {
                problems.push({ address: `environments.${env.name}`, node, code: err.code, message: `${env.name}: node ${node}: ${err.message}`, hint: err.hint ?? "check that the node runs and the stack's gateway settings" });
                return undefined;
              }
              throw err;
            }),
          ),
        );
        live.set(env.name, nodes.filter((n): n is LiveNode => n !== undefined));
      } finally {
        provider.close?.();
      }
    }),
  );
  return { live, problems };
}
