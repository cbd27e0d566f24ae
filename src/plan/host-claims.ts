import { LABEL } from "../model/index.js";
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

function claims(d: DesiredObject, f: LiveObject): Claim[] {
  const out: Claim[] = [];
  const ourHosts = ((d.settings.hosts as string[] | undefined) ?? []).map(normalizeName);
  const theirHosts = new Set(((f.fields.hosts as string[] | undefined) ?? []).map(normalizeName));
  for (const host of [...new Set(ourHosts)]) {
    if (theirHosts.has(host)) out.push({ ours: host, theirs: host, kind: "same" });
    const base = wildcardBase(host);
    if (base === undefined) continue;
    for (const t of theirHosts) if (wildcardBase(t) === undefined && parentOf(t) === base) out.push({ ours: host, theirs: t, kind: "under-wildcard" });
  }
  if (d.settings.default === true && f.fields.default === true) out.push({ ours: "", theirs: "", kind: "default" });
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
  const ours = desired.filter((d) => d.kind === "certificates");
  const ourNames = new Set(ours.map((d) => d.objectName.toLowerCase()));
  const found = new Map<string, { d: DesiredObject; f: LiveObject; claim: Claim; nodes: string[] }>();
  for (const node of nodes) {
    for (const f of node.objects) {
      if (f.collection !== "certificates" || f.labels[LABEL.stack] === stack || ourNames.has(f.name.toLowerCase())) continue;
      for (const d of ours) {
        for (const claim of claims(d, f)) {
          const k = JSON.stringify([d.address, f.name, f.labels[LABEL.stack] ?? null, claim]);
          const entry = found.get(k) ?? { d, f, claim, nodes: [] };
          entry.nodes.push(node.node);
          found.set(k, entry);
        }
      }
    }
  }
  return [...found.values()].map((e) => problemFor(e.d, e.f, e.claim, e.nodes));
}
