import { X509Certificate } from "node:crypto";
import { LABEL } from "../model/index.js";
import type { Plan } from "../model/plan.js";
import type { LiveNode, LiveObject } from "../providers/provider.js";
import { certFields } from "../x509/cert-fields.js";
import { certLabel } from "../x509/describe.js";
import { chainVerifies } from "../x509/verify-chain.js";
import type { NodeOperation } from "./diff-node.js";
import type { BackendChains } from "./fetch-backends.js";

// An endpoint trusts, for its backend, the certificates of the aliases bound to it and of the aliases
// bound to the whole environment (as the gateway builds it: src/gateway/data-plane/truststores.ts). A
// plan shrinks that set when it removes a binding, deletes a trusted certificate, or replaces one's
// content under the same alias. Each node is simulated before and after its operations, so trust from
// bindings of other stacks counts too, and an endpoint of another stack that loses trust is named.

interface Binding {
  name: string;
  alias: string;
  endpoint?: string;
  scope?: string;
}

interface Trusted {
  alias: string;
  pem: string;
}

interface Endpoint {
  name: string;
  url: string;
  labels: Record<string, string>;
}

/** What of a node decides its endpoints' backend trust, keyed by lower-case name (the gateway compares names so). */
interface TrustView {
  endpoints: Map<string, Endpoint>;
  bindings: Map<string, Binding>;
  trusted: Map<string, Trusted>;
  /** Built on first use, once the view is complete. */
  byEndpoint?: Map<string, Binding[]>;
}

const key = (name: string) => name.toLowerCase();
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

function put(view: TrustView, collection: LiveObject["collection"], name: string, fields: Record<string, unknown>, labels: Record<string, string>): void {
  if (collection === "endpoints") view.endpoints.set(key(name), { name, url: str(fields.url) ?? "", labels });
  else if (collection === "trust") {
    const b: Binding = { name, alias: str(fields.alias) ?? "" };
    if (str(fields.endpoint) !== undefined) b.endpoint = str(fields.endpoint)!;
    if (str(fields.scope) !== undefined) b.scope = str(fields.scope)!;
    view.bindings.set(key(name), b);
  } else if (collection === "trusted") view.trusted.set(key(name), { alias: name, pem: str(fields.certificate) ?? "" });
}

function viewOf(objects: readonly LiveObject[]): TrustView {
  const view: TrustView = { endpoints: new Map(), bindings: new Map(), trusted: new Map() };
  for (const o of objects) put(view, o.collection, o.name, o.fields, o.labels);
  return view;
}

/** The node as it will be once its operations are applied. */
function afterOperations(before: TrustView, operations: readonly NodeOperation[]): TrustView {
  const after: TrustView = { endpoints: new Map(before.endpoints), bindings: new Map(before.bindings), trusted: new Map(before.trusted) };
  for (const op of [...operations].sort((a, b) => a.step - b.step)) {
    if (op.collection === "requests") continue;
    const map = op.collection === "endpoints" ? after.endpoints : op.collection === "trust" ? after.bindings : op.collection === "trusted" ? after.trusted : undefined;
    if (!map) continue;
    if (op.op === "delete") map.delete(key(op.name));
    else put(after, op.collection, op.name, op.body ?? {}, (op.body?.labels as Record<string, string> | undefined) ?? {});
  }
  return after;
}

const parsed = new Map<string, X509Certificate | undefined>();
function certificateOf(pem: string): X509Certificate | undefined {
  if (!parsed.has(pem)) {
    let cert: X509Certificate | undefined;
    try {
      cert = new X509Certificate(pem);
    } catch {
      cert = undefined;
    }
    parsed.set(pem, cert);
  }
  return parsed.get(pem);
}

/** The bindings that give `endpoint` backend trust: its own (not mutual-TLS ones) and the environment's. */
function bindingsFor(view: TrustView, endpoint: string): Binding[] {
  view.byEndpoint ??= indexBindings(view.bindings.values());
  return [...(view.byEndpoint.get(key(endpoint)) ?? []), ...(view.byEndpoint.get("") ?? [])];
}

/** Bindings by the lower-case endpoint they give backend trust to; "" for the environment-wide ones. */
function indexBindings(bindings: Iterable<Binding>): Map<string, Binding[]> {
  const out = new Map<string, Binding[]>();
  for (const b of bindings) {
    const k = b.scope === "environment" ? "" : b.scope === undefined && b.endpoint !== undefined ? key(b.endpoint) : undefined;
    if (k === undefined) continue;
    out.set(k, [...(out.get(k) ?? []), b]);
  }
  return out;
}

/** Trusted certificates by fingerprint, each with the aliases it is trusted under. */
function trustOf(view: TrustView, endpoint: string): Map<string, { cert: X509Certificate; aliases: Set<string> }> {
  const out = new Map<string, { cert: X509Certificate; aliases: Set<string> }>();
  for (const b of bindingsFor(view, endpoint)) {
    const t = view.trusted.get(key(b.alias));
    const cert = t ? certificateOf(t.pem) : undefined;
    if (!cert) continue;
    const entry = out.get(cert.fingerprint256) ?? { cert, aliases: new Set<string>() };
    entry.aliases.add(t!.alias);
    out.set(cert.fingerprint256, entry);
  }
  return out;
}

interface Loss {
  /** Identity across nodes: the endpoint's name. */
  endpoint: string;
  address: string | null;
  code: "trust-removed" | "trust-reduced";
  url: string;
  /** The message without the backend's verdict, which is added once the captures are known. */
  message: string;
  before: X509Certificate[];
  after: X509Certificate[];
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: string[]) => items.join(", ");

function endpointName(e: Endpoint, stack: string): { address: string | null; who: string } {
  const owner = e.labels[LABEL.stack];
  const address = e.labels[LABEL.address];
  if (owner === stack && address) return { address, who: address };
  return { address: null, who: `endpoint ${quote(e.name)} (${owner ? `stack ${quote(owner)}` : "not owned by any stack"})` };
}

/** Why an alias stops counting for an endpoint: the planned operations on its bindings and its certificate. */
function causes(alias: string, endpoint: string, before: TrustView, after: TrustView, operations: readonly NodeOperation[]): string[] {
  const out: string[] = [];
  const lost = bindingsFor(before, endpoint).filter((b) => key(b.alias) === key(alias) && !bindingsFor(after, endpoint).some((a) => key(a.name) === key(b.name) && key(a.alias) === key(alias)));
  for (const b of lost) {
    const op = operations.find((o) => o.collection === "trust" && key(o.name) === key(b.name));
    if (op) out.push(`${op.address} ${op.op === "delete" ? "is deleted" : "changes"}`);
  }
  const op = operations.find((o) => o.collection === "trusted" && key(o.name) === key(alias));
  if (op?.op === "delete") out.push(`${op.address} is deleted`);
  else if (op) {
    const was = certificateOf(before.trusted.get(key(alias))?.pem ?? "");
    const now = certificateOf(after.trusted.get(key(alias))?.pem ?? "");
    if (was && now && was.fingerprint256 !== now.fingerprint256) out.push(`${op.address} is replaced: ${certLabel(was)} (${shortPrint(was)}) → ${certLabel(now)} (${shortPrint(now)})`);
  }
  return [...new Set(out)];
}

const shortPrint = (c: X509Certificate) => {
  const parts = c.fingerprint256.split(":");
  return `${parts.slice(0, 4).join(":")}…${parts.slice(-3).join(":")}`;
};

/** The endpoints of one node whose backend trust the node's operations shrink. */
function nodeLosses(node: LiveNode, operations: readonly NodeOperation[], stack: string): Loss[] {
  // Only writes to bindings and trusted certificates take trust away (an endpoint's own put keeps its name).
  if (!operations.some((o) => o.collection === "trust" || o.collection === "trusted")) return [];
  const before = viewOf(node.objects);
  const after = afterOperations(before, operations);
  const out: Loss[] = [];
  for (const [k, was] of before.endpoints) {
    const e = after.endpoints.get(k);
    if (!e || !e.url.toLowerCase().startsWith("https:")) continue;
    const had = trustOf(before, was.name);
    const has = trustOf(after, e.name);
    const lostPrints = [...had.keys()].filter((f) => !has.has(f));
    if (lostPrints.length === 0) continue;
    const lostAliases = [...new Set(lostPrints.flatMap((f) => [...had.get(f)!.aliases]))].sort();
    const keptAliases = [...new Set([...has.values()].flatMap((v) => [...v.aliases]))].sort();
    // An alias on both sides had its certificate replaced: the old one is lost, the new one kept.
    const both = new Set(lostAliases.filter((a) => keptAliases.includes(a)));
    const lost = lostAliases.map((alias) => {
      const why = causes(alias, e.name, before, after, operations);
      return `${both.has(alias) ? "the old " : ""}${quote(alias)}${why.length ? ` (${why.join("; ")})` : ""}`;
    });
    const kept = keptAliases.map((alias) => `${both.has(alias) ? "the new " : ""}${quote(alias)}`);
    const { address, who } = endpointName(e, stack);
    const message =
      kept.length === 0
        ? `${who} will reject its backend: it loses ${list(lost)} and nothing else trusts it`
        : `${who} trusts less: it loses ${list(lost)} and keeps ${list(kept)}`;
    out.push({ endpoint: e.name, address, code: kept.length === 0 ? "trust-removed" : "trust-reduced", url: e.url, message, before: [...had.values()].map((v) => v.cert), after: [...has.values()].map((v) => v.cert) });
  }
  return out;
}

/** Whether the backend's chain, captured while planning, verifies against what remains. */
function backendVerdict(loss: Loss, backends: BackendChains, now: Date): string {
  const seen = backends.get(loss.url);
  if (!seen) return `its backend ${loss.url} was not contacted to tell whether it still verifies`;
  if ("error" in seen) return `its backend ${loss.url} could not be reached at plan time to tell whether it still verifies: ${seen.error}`;
  const leaf = seen.chain[0]!;
  const shown = `${loss.url} (${certLabel(leaf)}, issued by ${certFields(leaf).issuer})`;
  if (chainVerifies(seen.chain, loss.after, now)) return `its backend ${shown} still verifies against what remains`;
  if (chainVerifies(seen.chain, loss.before, now)) return `its backend ${shown} verifies today but not against what remains: requests to it will fail: 502 (backend-untrusted)`;
  return `its backend ${shown} does not verify against its current trust either, so nothing that works today breaks`;
}

export interface TrustLossInput {
  stack: string;
  nodes: readonly LiveNode[];
  /** Each node's planned operations, in the order of `nodes`. */
  operations: readonly (readonly NodeOperation[])[];
  backends: BackendChains;
  now: Date;
}

/**
 * A warning for every endpoint whose backend trust the plan shrinks: what it loses and why, what it
 * keeps, and what its backend's chain says about it. `unchecked` lists the backends a verdict needs
 * that `backends` does not hold: capture those and plan again to have them in the warnings.
 */
export function trustLossWarnings(input: TrustLossInput): { warnings: Plan["warnings"]; unchecked: string[] } {
  const byMessage = new Map<string, { loss: Loss; nodes: string[] }>();
  const unchecked = new Set<string>();
  input.nodes.forEach((node, i) => {
    for (const loss of nodeLosses(node, input.operations[i] ?? [], input.stack)) {
      if (!input.backends.has(loss.url)) unchecked.add(loss.url);
      const message = `${loss.message}; ${backendVerdict(loss, input.backends, input.now)}`;
      const k = `${key(loss.endpoint)}\u0000${message}`;
      const entry = byMessage.get(k) ?? { loss: { ...loss, message }, nodes: [] };
      entry.nodes.push(node.node);
      byMessage.set(k, entry);
    }
  });
  const warnings: Plan["warnings"] = [];
  for (const { loss, nodes } of byMessage.values()) {
    // Nodes agree as a rule; where they drift apart, each variant says where it holds.
    const everywhere = nodes.length === input.nodes.length;
    warnings.push({ address: loss.address, code: loss.code, message: everywhere ? loss.message : `${loss.message} (on ${list(nodes)})` });
  }
  warnings.sort((a, b) => (a.address ?? "").localeCompare(b.address ?? "") || a.message.localeCompare(b.message));
  return { warnings, unchecked: [...unchecked].sort() };
}
