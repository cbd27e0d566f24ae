import type { Provider } from "../providers/provider.js";
import type { EnvironmentState } from "../stack/index.js";
import { verifyAgainstStack } from "./stack-target.js";
import type { VerificationProblem } from "./types.js";

/**
 * After apply wrote an environment, or found nothing to write: every node read back and checked over TLS
 * against the stack, exactly as `certform verify` checks it.
 */
export async function verifyAppliedEnvironment(env: EnvironmentState, provider: Provider, stack: string, now = new Date()): Promise<VerificationProblem[]> {
  const nodes = await Promise.all(env.spec.gateway.nodes.map((node) => provider.read(node)));
  return (await verifyAgainstStack(env, nodes, { stack, now })).problems;
}
