import type { Diagnostic } from "../model/index.js";
import { PlanSchema, type Plan, type PlannedOperationValue, type ResourceChangeValue } from "../model/plan.js";
import type { LiveNode } from "../providers/provider.js";
import type { DesiredState, EnvironmentState } from "../stack/index.js";
import { desiredObjects, type DesiredObject } from "./desired-objects.js";
import { diffNode, type NodeDiff, type NodeVerdict, type PlanProblem } from "./diff-node.js";
import { indexLiveNode } from "./live-index.js";
import { summarizeLive } from "./live-summary.js";

export interface PlanInput {
  state: DesiredState;
  /** Every node of every environment of `state`, as read, in the order of the environment's `nodes`. */
  live: ReadonlyMap<string, readonly LiveNode[]>;
  warnings: readonly Diagnostic[];
  options: { prune: boolean; adopt: boolean; environments: string[] | null };
  stackPaths: string[];
  now: Date;
  version: string;
}

const ORDER = { replace: 0, create: 1, update: 2, delete: 3, "no-op": 4 } as const;

/** Diffs the stack against the live nodes and returns the Plan: a value, computed without side effects. */
export function planChanges(input: PlanInput): { plan: Plan; problems: PlanProblem[] } {
  const { state, now } = input;
  const problems: PlanProblem[] = [];
  const changes: ResourceChangeValue[] = [];
  const environments: Plan["environments"] = [];
  const sources: Plan["sources"] = [];
  const warnings: Plan["warnings"] = input.warnings.map((d) => ({ address: d.address ?? null, code: d.code, message: d.message }));

  for (const env of state.environments) {
    const nodes = input.live.get(env.name) ?? [];
    const desired = desiredObjects(state.stack, env, now);
    const diffs = nodes.map((n) => diffNode(desired, indexLiveNode(n, state.stack), { stack: state.stack, prune: input.options.prune, adopt: input.options.adopt, now }));
    for (const d of diffs) problems.push(...d.problems);
    const nodeNames = nodes.map((n) => n.node);
    const envChanges = aggregate(env, desired, nodeNames, diffs, now);
    changes.push(...envChanges);
    warnings.push(...trustWarnings(env, envChanges));
    environments.push({ name: env.name, gateway: env.spec.gateway.type, nodes: nodes.map((n) => ({ node: n.node, revision: n.revision })), operations: mergeOperations(nodeNames, diffs) });
    for (const d of desired) {
      if (d.material) sources.push({ address: d.address, field: "certificate", fingerprint: d.material.fingerprints.join(",") });
      if (d.keyRef) sources.push({ address: d.address, field: d.keyRef.field, fingerprint: d.keyRef.keyFingerprint256 });
    }
  }
  const summary = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
  for (const c of changes) summary[c.action]++;
  const plan: Plan = {
    format_version: "1",
    certform_version: input.version,
    stack: state.stack,
    created_at: now.toISOString(),
    options: input.options,
    summary,
    environments,
    resource_changes: changes,
    warnings,
    sources,
    stack_paths: input.stackPaths,
  };
  return { plan: PlanSchema.parse(plan), problems };
}

/** One change per instance: the nodes that need it, and drift where nodes disagree. */
function aggregate(env: EnvironmentState, desired: readonly DesiredObject[], nodes: string[], diffs: NodeDiff[], now: Date): ResourceChangeValue[] {
  const addresses = new Set<string>(desired.map((d) => d.address));
  for (const d of diffs) for (const a of d.verdicts.keys()) addresses.add(a);
  const byAddress = new Map(desired.map((d) => [d.address, d]));
  const out: ResourceChangeValue[] = [];
  for (const address of addresses) {
    const verdicts = diffs.map((d) => d.verdicts.get(address) ?? ({ action: "no-op", reasons: [] } as NodeVerdict));
    const strongest = [...verdicts].sort((a, b) => ORDER[a.action] - ORDER[b.action])[0]!;
    const writing = nodes.filter((_, i) => verdicts[i]!.action !== "no-op");
    const differing = new Set(verdicts.map((v) => `${v.action}:${v.reasons.join("|")}`)).size > 1;
    const d = byAddress.get(address);
    const live = verdicts.find((v) => v.live)?.live;
    const [kind, rest] = [address.slice(0, address.indexOf(".")), address.slice(address.indexOf(".") + 1)];
    const change: ResourceChangeValue = {
      address,
      environment: env.name,
      kind: kind as ResourceChangeValue["kind"],
      name: rest.replace(/\[[^\]]*\]$/, ""),
      action: strongest.action,
      reasons: [...new Set(verdicts.flatMap((v) => v.reasons))],
      before: live ? summarizeLive(live, now) : null,
      after: strongest.action === "delete" || !d ? null : d.summary,
      nodes: writing,
      drift: differing ? nodes.flatMap((node, i) => (verdicts[i]!.action === "no-op" ? [] : [{ node, detail: `${verdicts[i]!.action}${verdicts[i]!.reasons.length ? `: ${verdicts[i]!.reasons.join("; ")}` : ""}` }])) : [],
      impact: impactOf(address, d, live?.fields, desired, env),
    };
    if (differing && !change.reasons.some((r) => r.startsWith("drift"))) change.reasons.push(`drift: ${writing.length} of ${nodes.length} nodes differ`);
    out.push(change);
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

function impactOf(address: string, d: DesiredObject | undefined, liveFields: Record<string, unknown> | undefined, desired: readonly DesiredObject[], env: EnvironmentState): ResourceChangeValue["impact"] {
  const hosts = new Set<string>([...((d?.settings.hosts as string[] | undefined) ?? []), ...((liveFields?.hosts as string[] | undefined) ?? [])]);
  const jwks = desired.filter((j) => j.jwk?.sourceAddress === address).map((j) => j.address);
  const endpointAddress = (name: string) => `endpoints.${name}[${env.name}]`;
  let endpoints: string[] = [];
  if (d?.kind === "endpoints") endpoints = [address];
  const trustTargets = (alias: string) =>
    desired.filter((t) => t.kind === "trustAssignments" && t.settings.alias === alias).flatMap((t) => (t.settings.endpoint ? [endpointAddress(String(t.settings.endpoint))] : t.settings.scope === "environment" ? env.endpoints.map((e) => e.address) : []));
  if (d?.kind === "trustedCertificates") endpoints = trustTargets(String(d.settings.alias));
  const trustSettings = d?.kind === "trustAssignments" ? d.settings : address.startsWith("trustAssignments.") ? liveFields : undefined;
  if (trustSettings) {
    if (trustSettings.endpoint) endpoints = [endpointAddress(String(trustSettings.endpoint))];
    else if (trustSettings.scope === "environment") endpoints = env.endpoints.map((e) => e.address);
    for (const h of (trustSettings.hosts as string[] | undefined) ?? []) hosts.add(h);
  }
  return { hosts: [...hosts].sort(), endpoints: [...new Set(endpoints)].sort(), jwks: jwks.sort() };
}

/** Removing the last trust an https endpoint has leaves it rejecting its backend: say so. */
function trustWarnings(env: EnvironmentState, changes: readonly ResourceChangeValue[]): Plan["warnings"] {
  const out: Plan["warnings"] = [];
  // Client trust (scope: clients, with or without an endpoint) never was a backend's trust.
  const removed = changes.filter((c) => c.kind === "trustAssignments" && c.action === "delete" && c.before?.settings.scope !== "clients");
  for (const c of removed) {
    for (const endpoint of c.impact.endpoints) {
      const e = env.endpoints.find((x) => x.address === endpoint);
      if (!e || !e.spec.url.startsWith("https:")) continue;
      const stillTrusted = env.trustAssignments.some((t) => (t.spec.endpoint === e.name && t.spec.scope === undefined) || t.spec.scope === "environment");
      if (!stillTrusted) out.push({ address: endpoint, code: "trust-removed", message: `${endpoint} will reject its backend: ${c.address} is deleted and nothing else trusts it` });
    }
  }
  return out;
}

/** One operation per distinct write, naming the nodes that receive it, in step order. */
function mergeOperations(nodes: string[], diffs: NodeDiff[]): PlannedOperationValue[] {
  const merged = new Map<string, PlannedOperationValue>();
  diffs.forEach((d, i) => {
    for (const op of d.operations) {
      const key = JSON.stringify(op);
      const existing = merged.get(key);
      if (existing) existing.nodes.push(nodes[i]!);
      else merged.set(key, { ...op, nodes: [nodes[i]!] });
    }
  });
  return [...merged.values()].sort((a, b) => a.step - b.step || a.address.localeCompare(b.address) || a.op.localeCompare(b.op));
}

