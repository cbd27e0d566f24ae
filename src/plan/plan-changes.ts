import { MANAGEMENT_OBJECT, type Diagnostic } from "../model/index.js";
import type { Plan, PlannedOperationValue, ResourceChangeValue } from "../model/plan.js";
import type { LiveNode } from "../providers/provider.js";
import type { DesiredState, EnvironmentState } from "../stack/index.js";
import { generatedCopies, showCopies } from "./cluster-generated.js";
import { csrPlans } from "./csr-requests.js";
import { desiredObjects, type DesiredObject } from "./desired-objects.js";
import { expiryAlerts } from "./expiry-alerts.js";
import { diffNode, type NodeDiff, type NodeVerdict, type PlanProblem } from "./diff-node.js";
import type { BackendChains } from "./fetch-backends.js";
import { hostClaimProblems } from "./host-claims.js";
import { indexLiveNode } from "./live-index.js";
import { summarizeLive } from "./live-summary.js";
import { trustLossWarnings } from "./trust-loss.js";

export interface PlanInput {
  state: DesiredState;
  /** Every node of every environment of `state`, as read, in the order of the environment's `nodes`. */
  live: ReadonlyMap<string, readonly LiveNode[]>;
  warnings: readonly Diagnostic[];
  options: { prune: boolean; adopt: boolean; environments: string[] | null };
  stackPaths: string[];
  /** The --policy files the stack was checked against. */
  policyFiles?: Plan["policy_files"];
  now: Date;
  version: string;
  /** The chains of backends whose endpoints' trust shrinks, captured before planning (see `unchecked`). */
  backends?: BackendChains;
  /** Generated certificates to renew now whatever their expiry (`certform renew`), by instance address. */
  renew?: readonly string[];
}

const ORDER = { replace: 0, create: 1, update: 2, delete: 3, "no-op": 4 } as const;

/**
 * Diffs the stack against the live nodes and returns the Plan: a value, computed without side effects.
 * `unchecked`: backend URLs whose chains the warnings would use but `input.backends` lacks; `errors`: what
 * refuses the plan though the stack is valid (a kept certificate inside alerts.criticalBefore).
 */
export function planChanges(input: PlanInput): { plan: Plan; problems: PlanProblem[]; unchecked: string[]; errors: Diagnostic[] } {
  const { state, now } = input;
  const problems: PlanProblem[] = [];
  const changes: ResourceChangeValue[] = [];
  const environments: Plan["environments"] = [];
  const sources: Plan["sources"] = [];
  // A stack diagnostic's message starts with its address, which a plan warning carries on its own.
  const warnings: Plan["warnings"] = input.warnings.map((d) => ({ address: d.address ?? null, code: d.code, message: d.address && d.message.startsWith(`${d.address}: `) ? d.message.slice(d.address.length + 2) : d.message }));
  const unchecked: string[] = [];
  const errors: Diagnostic[] = [];

  for (const env of state.environments) {
    const nodes = input.live.get(env.name) ?? [];
    const desired = desiredObjects(state.stack, env, now);
    for (const d of desired) if (input.renew?.includes(d.address)) d.renewNow = true;
    const indexes = nodes.map((n) => indexLiveNode(n, state.stack));
    const copies = generatedCopies(desired, indexes, now);
    const csr = csrPlans(desired, indexes, now, env.name);
    warnings.push(...csr.warnings);
    errors.push(...csr.errors);
    const diffs = indexes.map((index, i) => diffNode(desired, index, { stack: state.stack, prune: input.options.prune, adopt: input.options.adopt, now, copies: copies[i]!, csr: csr.nodes[i]! }));
    for (const d of diffs) problems.push(...d.problems);
    problems.push(...hostClaimProblems(desired, nodes, state.stack));
    const nodeNames = nodes.map((n) => n.node);
    const envChanges = showCopies(aggregate(env, desired, nodeNames, diffs, now), copies, indexes, now);
    changes.push(...envChanges);
    const alerts = expiryAlerts(env, envChanges, state.alerts, now);
    errors.push(...alerts.errors);
    warnings.push(...alerts.warnings);
    const trust = trustLossWarnings({ stack: state.stack, nodes, operations: diffs.map((d) => d.operations), backends: input.backends ?? new Map(), now });
    warnings.push(...trust.warnings);
    unchecked.push(...trust.unchecked);
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
    ...(state.policyExceptions?.length ? { policy_exceptions: state.policyExceptions } : {}),
    sources,
    stack_paths: input.stackPaths,
    ...(input.policyFiles?.length ? { policy_files: input.policyFiles } : {}),
  };
  // Built to the Plan type; the schema orders and checks it where it is written out (renderPlanJson).
  return { plan, problems, unchecked: [...new Set(unchecked)], errors };
}

/** One change per instance: the nodes that need it, and drift where nodes disagree. */
function aggregate(env: EnvironmentState, desired: readonly DesiredObject[], nodes: string[], diffs: NodeDiff[], now: Date): ResourceChangeValue[] {
  const addresses = new Set<string>(desired.map((d) => d.address));
  for (const d of diffs) for (const a of d.verdicts.keys()) addresses.add(a);
  const byAddress = new Map(desired.map((d) => [d.address, d]));
  const impact = impactIndex(desired, env);
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
      impact: impactOf(address, d, live?.fields, impact, env),
    };
    if (differing && !change.reasons.some((r) => r.startsWith("drift"))) change.reasons.push(`drift: ${writing.length} of ${nodes.length} nodes differ`);
    out.push(change);
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

/** What depends on what, indexed once per environment: looked up for every change, it must not be a scan. */
interface ImpactIndex {
  jwksBySource: Map<string, string[]>;
  trustTargetsByAlias: Map<string, string[]>;
}

function impactIndex(desired: readonly DesiredObject[], env: EnvironmentState): ImpactIndex {
  const jwksBySource = new Map<string, string[]>();
  const trustTargetsByAlias = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, values: string[]) => map.set(key, [...(map.get(key) ?? []), ...values]);
  for (const d of desired) {
    if (d.jwk) push(jwksBySource, d.jwk.sourceAddress, [d.address]);
    if (d.kind === "trustAssignments") {
      const targets = d.settings.endpoint ? [endpointAddress(env, String(d.settings.endpoint))] : d.settings.scope === "environment" ? env.endpoints.map((e) => e.address) : [];
      push(trustTargetsByAlias, String(d.settings.alias), targets);
    }
  }
  return { jwksBySource, trustTargetsByAlias };
}

const endpointAddress = (env: EnvironmentState, name: string) => `endpoints.${name}[${env.name}]`;

function impactOf(address: string, d: DesiredObject | undefined, liveFields: Record<string, unknown> | undefined, index: ImpactIndex, env: EnvironmentState): ResourceChangeValue["impact"] {
  // The management certificate's hosts are the admin API's, which no client of the data plane reaches.
  const admin = d?.objectName === MANAGEMENT_OBJECT || address.endsWith(".managementCertificate");
  const hosts = new Set<string>(admin ? [] : [...((d?.settings.hosts as string[] | undefined) ?? []), ...((liveFields?.hosts as string[] | undefined) ?? [])]);
  const jwks = [...(index.jwksBySource.get(address) ?? [])];
  let endpoints: string[] = [];
  if (d?.kind === "endpoints") endpoints = [address];
  if (d?.kind === "trustedCertificates") endpoints = index.trustTargetsByAlias.get(String(d.settings.alias)) ?? [];
  const trustSettings = d?.kind === "trustAssignments" ? d.settings : address.startsWith("trustAssignments.") ? liveFields : undefined;
  if (trustSettings) {
    if (trustSettings.endpoint) endpoints = [endpointAddress(env, String(trustSettings.endpoint))];
    else if (trustSettings.scope === "environment") endpoints = env.endpoints.map((e) => e.address);
    for (const h of (trustSettings.hosts as string[] | undefined) ?? []) hosts.add(h);
  }
  return { hosts: [...hosts].sort(), endpoints: [...new Set(endpoints)].sort(), jwks: jwks.sort() };
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

