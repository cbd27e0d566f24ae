import type { PlannedOperationValue, ResourceChangeValue } from "../model/plan.js";
import type { LiveObject } from "../providers/provider.js";
import { decodeCertificates } from "../x509/index.js";
import { compare } from "./compare.js";
import type { DesiredObject } from "./desired-objects.js";
import type { LiveIndex } from "./live-index.js";
import { summarizeLive } from "./live-summary.js";
import { summarizeChain } from "./summaries.js";

// An environment is one cluster: every node serves the same generated certificate (one key, one fingerprint,
// one JWKS kid). The per-node diff cannot see that, so this looks across the nodes first and decides, per
// generated certificate, which nodes get a copy of the one the others serve.

/** One node's copy of a generated certificate that another node of the environment serves. */
export interface GeneratedCopyPlan {
  from: NonNullable<PlannedOperationValue["copyFrom"]>;
  /** The chain's PEM (public): it goes in the plan; the key is read from `from.node` at apply. */
  chain: string;
  reason: string;
}

const short = (fp: string) => fp.slice(0, 23);

/**
 * Per node (in `nodes:` order), the generated certificates it must copy, by address. A node's certificate
 * is valid when it is generated, has the stack's generate settings and is outside renewBefore. When some
 * node holds a valid one, the environment keeps it (pinned clients and published kids keep working): the
 * one most nodes serve, on a tie the first in `nodes:` order; every node without it gets a copy. When no
 * node holds a valid one, nothing is copied: apply generates one certificate for every node.
 */
export function generatedCopies(desired: readonly DesiredObject[], nodes: readonly LiveIndex[], now: Date): Map<string, GeneratedCopyPlan>[] {
  const out = nodes.map(() => new Map<string, GeneratedCopyPlan>());
  for (const d of desired) {
    if (d.collection !== "certificates" || d.material || d.csr) continue;
    const lives = nodes.map((n) => n.owned.get(d.address));
    const valid = lives.map((l) => (l && l.fields.generated === true && compare(d, l, now).action !== "replace" ? String(l.fields.fingerprint256) : undefined));
    const counts = new Map<string, number>();
    for (const fp of valid) if (fp) counts.set(fp, (counts.get(fp) ?? 0) + 1);
    if (counts.size === 0) continue;
    const most = Math.max(...counts.values());
    const tied = [...counts.values()].filter((c) => c === most).length > 1;
    const source = valid.findIndex((fp) => fp !== undefined && counts.get(fp) === most);
    const winner = valid[source]!;
    const held = lives[source]!;
    if (valid.every((fp) => fp === winner)) continue;
    const from = { node: nodes[source]!.node, name: held.name, fingerprint256: winner, keyFingerprint256: String(held.fields.keyFingerprint256) };
    const why = tied ? "no majority: the first node in nodes: with a valid one" : `served by ${most} of ${nodes.length} nodes`;
    nodes.forEach((n, i) => {
      if (valid[i] === winner) return;
      out[i]!.set(d.address, { from, chain: String(held.fields.chain), reason: `drift: ${n.node} ${state(lives[i], valid[i], d, now)}; copied from ${from.node}, which serves ${short(winner)}… (${why})` });
    });
  }
  return out;
}

function state(live: LiveObject | undefined, valid: string | undefined, d: DesiredObject, now: Date): string {
  if (!live) return "lacks it";
  if (valid) return `serves another certificate (${short(valid)}…)`;
  const reasons = compare(d, live, now).reasons;
  return `holds one to replace (${reasons.join("; ")})`;
}

/** The PUT body of a copy: the stack's settings and labels, the chain the other nodes serve, marked generated. */
export function copyBody(d: DesiredObject, copy: GeneratedCopyPlan): Record<string, unknown> {
  return { hosts: d.body.hosts, default: d.body.default, chain: copy.chain, generated: true, labels: d.body.labels };
}

/**
 * A change that copies a certificate shows, as "after", the certificate every node ends up serving, and as
 * "before" what the first node that gets the copy holds now (not what the node it is copied from serves).
 */
export function showCopies(changes: ResourceChangeValue[], copies: readonly Map<string, GeneratedCopyPlan>[], nodes: readonly LiveIndex[], now: Date): ResourceChangeValue[] {
  return changes.map((c) => {
    const receiving = copies.flatMap((m, i) => (m.has(c.address) ? [i] : []));
    const copy = copies[receiving[0] ?? -1]?.get(c.address);
    if (!copy || !c.after) return c;
    const held = receiving.map((i) => nodes[i]!.owned.get(c.address)).find((l) => l !== undefined);
    return { ...c, before: held ? summarizeLive(held, now) : null, after: { ...c.after, certificate: summarizeChain(decodeCertificates(copy.chain, { allowPrivateKey: false }), now, true) } };
  });
}
