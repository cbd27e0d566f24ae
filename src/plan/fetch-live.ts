import type { LiveNode, Provider } from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";
import type { DesiredState } from "../stack/index.js";
import type { PlanProblem } from "./diff-node.js";

/**
 * Reads every node of every environment, in parallel, with the environments' providers (the caller's, so
 * that apply reads with the ones it holds the locks with); a node that cannot be read is a problem, never skipped.
 */
export async function fetchLiveState(state: DesiredState, providers: ReadonlyMap<string, Provider>): Promise<{ live: Map<string, LiveNode[]>; problems: PlanProblem[] }> {
  const live = new Map<string, LiveNode[]>();
  const problems: PlanProblem[] = [];
  await Promise.all(
    state.environments.map(async (env) => {
      const provider = providers.get(env.name)!;
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
    }),
  );
  return { live, problems };
}
