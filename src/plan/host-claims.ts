import { LABEL, MANAGEMENT_OBJECT } from "../model/index.js";
import type { LiveNode, LiveObject } from "../providers/provider.js";
import { normalizeName, parentOf, wildcardBase } from "../gateway/data-plane/host-names.js";
import type { DesiredObject } from "./desired-objects.js";
import type { PlanProblem } from "./diff-node.js";

// A gateway picks the certificate for a handshake by the exact name, then a one-label wildcard, then the
// default; among equal claims the newest write wins (src/gateway/data-plane/sni.ts). So a certificate
// this stack does not own takes a host from one of ours when it claims
//   - the same exact host, or the same wildcard: whichever was written last is served, and either
//     stack's next apply flips it;
//   - an exact host that our wildcard covers: exact wins, so that name is always served theirs;
//   - default: true, when ours is a default too: clients without a matching SNI get the newer one.
// A foreign wildcard beside our exact host takes nothing (our exact host wins), so it is no claim. An
// object with the same name as one of ours is left to the name checks (name-collision, --adopt).

interface Claim {
  ours: string;
  theirs: string;
  kind: "same" | "under-wildcard" | "default";
}

/** Our certificates by what they claim, so that each foreign host is one lookup. */
interface OurClaims {
  exact: Map<string, DesiredObject[]>;
  /** Keyed by what follows "*.". */
  wildcard: Map<string, DesiredObject[]>;
  defaults: DesiredObject[];
}

function indexOurs(ours: readonly DesiredObject[]): OurClaims {
  const index: OurClaims = { exact: new Map(), wildcard: new Map(), defaults: [] };
  const add = (map: Map<string, DesiredObject[]>, k: string, d: DesiredObject) => {
    const list = map.get(k) ?? [];
    if (!list.includes(d)) map.set(k, [...list, d]);
  };
  for (const d of ours) {
    for (const host of ((d.settings.hosts as string[] | undefined) ?? []).map(normalizeName)) {
      const base = wildcardBase(host);
      if (base === undefined) add(index.exact, host, d);
      else add(index.wildcard, base, d);
    }
    if (d.settings.default === true) index.defaults.push(d);
  }
  return index;
}

function claims(index: OurClaims, f: LiveObject): { d: DesiredObject; claim: Claim }[] {
  const out: { d: DesiredObject; claim: Claim }[] = [];
  for (const t of new Set(((f.fields.hosts as string[] | undefined) ?? []).map(normalizeName))) {
    const base = wildcardBase(t);
    if (base !== undefined) {
      for (const d of index.wildcard.get(base) ?? []) out.push({ d, claim: { ours: t, theirs: t, kind: "same" } });
      continue;
    }
    for (const d of index.exact.get(t) ?? []) out.push({ d, claim: { ours: t, theirs: t, kind: "same" } });
    const parent = parentOf(t);
    for (const d of parent !== undefined ? (index.wildcard.get(parent) ?? []) : []) out.push({ d, claim: { ours: `*.${parent}`, theirs: t, kind: "under-wildcard" } });
  }
  if (f.fields.default === true) for (const d of index.defaults) out.push({ d, claim: { ours: "", theirs: "", kind: "default" } });
  return out;
}

function ownerOf(f: LiveObject): string {
  const stack = f.labels[LABEL.stack];
  if (!stack) return "not owned by any stack";
  const address = f.labels[LABEL.address];
  return `owned by stack ${JSON.stringify(stack)}${address ? ` as ${address}` : ""}`;
}

function problemFor(d: DesiredObject, f: LiveObject, c: Claim, nodes: string[]): PlanProblem {
  const theirs = `certificates ${JSON.stringify(f.name)} on ${nodes.join(", ")} (${ownerOf(f)})`;
  const stack = f.labels[LABEL.stack];
  const removeTheirs = (what: string) => (stack ? `remove ${what} from stack ${JSON.stringify(stack)}` : `delete certificates ${JSON.stringify(f.name)} from the gateway (or declare it in this stack and plan with --adopt)`);
  if (c.kind === "default") {
    return {
      address: d.address,
      code: "host-claimed",
      message: `${d.address} is default: true, but ${theirs} is default: true too: clients whose SNI matches no host would get whichever was written last`,
      hint: stack ? `set default: false on ${d.address}, or on ${f.labels[LABEL.address] ?? JSON.stringify(f.name)} in stack ${JSON.stringify(stack)}` : `set default: false on ${d.address}, or ${removeTheirs("")}`,
    };
  }
  if (c.kind === "same") {
    return {
      address: d.address,
      code: "host-claimed",
      message: `${d.address} serves ${c.ours}, but ${theirs} claims ${c.theirs} too: the gateway would serve whichever was written last`,
      hint: `${removeTheirs(c.theirs)}, or drop ${c.ours} from ${d.address}`,
    };
  }
  return {
    address: d.address,
    code: "host-claimed",
    message: `${d.address} serves ${c.ours}, but ${theirs} claims ${c.theirs}, which it takes from ${c.ours}: an exact host wins over a wildcard`,
    hint: `${removeTheirs(c.theirs)}, or drop ${c.ours} from ${d.address} if ${c.theirs} is meant to be served by the other certificate`,
  };
}

/** Plan errors for certificates this stack does not own that claim a host (or the default) one of ours serves. */
export function hostClaimProblems(desired: readonly DesiredObject[], nodes: readonly LiveNode[], stack: string): PlanProblem[] {
  // The admin API's certificate claims no host of the data plane, nor does anyone else's.
  const ours = desired.filter((d) => d.kind === "certificates" && d.objectName !== MANAGEMENT_OBJECT);
  const ourNames = new Set(ours.map((d) => d.objectName.toLowerCase()));
  const index = indexOurs(ours);
  const found = new Map<string, { d: DesiredObject; f: LiveObject; claim: Claim; nodes: string[] }>();
  for (const node of nodes) {
    for (const f of node.objects) {
      if (f.collection !== "certificates" || f.name === MANAGEMENT_OBJECT || f.labels[LABEL.stack] === stack || ourNames.has(f.name.toLowerCase())) continue;
      for (const { d, claim } of claims(index, f)) {
        const k = JSON.stringify([d.address, f.name, f.labels[LABEL.stack] ?? null, claim]);
        const entry = found.get(k) ?? { d, f, claim, nodes: [] };
        entry.nodes.push(node.node);
        found.set(k, entry);
      }
    }
  }
  return [...found.values()].map((e) => problemFor(e.d, e.f, e.claim, e.nodes)).sort((a, b) => a.address.localeCompare(b.address) || a.message.localeCompare(b.message));
}
