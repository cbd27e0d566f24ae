import { changeCount, type Action, type Plan, type ResourceChangeValue } from "../model/plan.js";
import { certificateRows, plain, settingRows, type Row } from "./plan-rows.js";

export { formatValue, PENDING, plain, shortFingerprint, type Mark, type Row } from "./plan-rows.js";

// What the text and markdown renderings of a plan share: the changes grouped by environment and turned into
// rows (certificates as certificates, settings as name: old → new). Both views format these rows and
// nothing else, so they cannot disagree about what a plan does.

export type ChangeAction = Exclude<Action, "no-op">;
export const CHANGE_ACTIONS: readonly ChangeAction[] = ["create", "update", "replace", "delete"];
export type Counts = Record<Action, number>;

export interface ChangeView {
  address: string;
  action: ChangeAction;
  /** "will be created", "must be replaced", … */
  verb: string;
  reasons: string[];
  rows: Row[];
}

export interface EnvironmentView {
  name: string;
  gateway: string;
  nodes: { node: string; revision: number }[];
  counts: Counts;
  /** Every change but the no-ops, in the plan's order. */
  changes: ChangeView[];
}

export const VERB: Record<ChangeAction, string> = {
  create: "will be created",
  update: "will be updated in place",
  replace: "must be replaced",
  delete: "will be deleted",
};

export function emptyCounts(): Counts {
  return { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
}

function changeView(change: ResourceChangeValue, action: ChangeAction, envNodes: readonly string[]): ChangeView {
  // A create has no before and a delete no after, so they show every setting; update and replace the changed.
  const rows: Row[] = [...certificateRows(change), ...settingRows(change.before, change.after)];
  const partial = envNodes.length > 0 && (change.nodes.length < envNodes.length || change.nodes.some((n) => !envNodes.includes(n)));
  if (partial) {
    const note = `${change.nodes.length === 1 ? "only " : ""}(${change.nodes.length} of ${envNodes.length} nodes)`;
    rows.push({ type: "list", label: "nodes", items: change.nodes.map(plain), note });
  }
  for (const d of change.drift) rows.push({ type: "drift", node: plain(d.node), detail: plain(d.detail) });
  const { hosts, endpoints, jwks } = change.impact;
  if (hosts.length) rows.push({ type: "list", label: "hosts touched", items: hosts.map(plain) });
  if (endpoints.length) rows.push({ type: "list", label: "endpoints affected", items: endpoints.map(plain) });
  if (jwks.length) rows.push({ type: "list", label: "JWKs affected", items: jwks.map(plain) });
  return { address: plain(change.address), action, verb: VERB[action], reasons: change.reasons.map(plain), rows };
}

/** The plan grouped by environment, in the plan's order; changes to environments it does not list come last. */
export function planView(plan: Plan): EnvironmentView[] {
  const envs = new Map<string, EnvironmentView>();
  for (const e of plan.environments) {
    envs.set(e.name, { name: plain(e.name), gateway: plain(e.gateway), nodes: e.nodes.map((n) => ({ node: plain(n.node), revision: n.revision })), counts: emptyCounts(), changes: [] });
  }
  const rawNodes = new Map(plan.environments.map((e) => [e.name, e.nodes.map((n) => n.node)]));
  for (const change of plan.resource_changes) {
    let env = envs.get(change.environment);
    if (!env) {
      env = { name: plain(change.environment), gateway: "", nodes: [], counts: emptyCounts(), changes: [] };
      envs.set(change.environment, env);
    }
    env.counts[change.action]++;
    if (change.action === "no-op") continue;
    env.changes.push(changeView(change, change.action, rawNodes.get(change.environment) ?? []));
  }
  return [...envs.values()];
}

/** "1 to create, 2 to update, 3 unchanged" or "no changes, 3 unchanged": the non-zero counts only. */
export function countsPhrase(c: Counts, num: (n: number) => string = String): string {
  const parts = CHANGE_ACTIONS.filter((a) => c[a] > 0).map((a) => `${num(c[a])} to ${a}`);
  const same = c["no-op"] > 0 ? `${num(c["no-op"])} unchanged` : "";
  if (parts.length === 0) return same ? `no changes, ${same}` : "no changes";
  return same ? `${parts.join(", ")}, ${same}` : parts.join(", ");
}

/** The plan's last line, in every view. */
export function summaryLine(s: Plan["summary"]): string {
  if (changeCount(s) === 0) return "No changes. The gateways match the stack.";
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`;
}

export const SYMBOL: Record<ChangeAction, string> = { create: "+", update: "~", replace: "-/+", delete: "-" };
