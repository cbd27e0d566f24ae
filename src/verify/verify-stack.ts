import type { VerifyReport } from "../model/verify-report.js";
import { fetchLiveState } from "../plan/index.js";
import { withProviders } from "../providers/for-environment.js";
import type { DesiredState } from "../stack/index.js";
import { verifyAgainstStack } from "./stack-target.js";

/**
 * `certform verify`: reads every node of every environment of the stack and checks over TLS that each
 * serves what the stack declares. A node that cannot be read is a problem, never skipped.
 */
export async function verifyStack(state: DesiredState, opts: { now?: Date } = {}): Promise<VerifyReport> {
  const now = opts.now ?? new Date();
  const { live, problems: unread } = await withProviders(state, (providers) => fetchLiveState(state, providers));
  const report: VerifyReport = { format_version: "1", stack: state.stack, ok: true, environments: [], problems: [] };
  for (const p of unread) {
    const environment = p.address.replace(/^environments\./, "");
    report.problems.push({ environment, node: p.node ?? "", address: p.address, code: p.code, message: `${p.message} (${p.hint})` });
  }
  const results = await Promise.all(state.environments.map((env) => verifyAgainstStack(env, live.get(env.name) ?? [], { stack: state.stack, now })));
  state.environments.forEach((env, i) => {
    report.environments.push({ name: env.name, nodes: env.spec.gateway.nodes, checked: results[i]!.checked });
    report.problems.push(...results[i]!.problems);
  });
  report.ok = report.problems.length === 0;
  return report;
}
