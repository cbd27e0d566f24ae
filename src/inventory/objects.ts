import { createHash } from "node:crypto";
import { KIND_OF_COLLECTION, LABEL, type ResourceKind } from "../model/index.js";
import { liveChain } from "../plan/index.js";
import type { LiveNode, LiveObject } from "../providers/provider.js";

// What expiry and list both take from a live object: who owns it, and one version of it held by several nodes.

export interface Ownership {
  owner: string | null;
  address: string | null;
  /** The stack's name for it when owned (certificates.api[prod] → api); else its name on the gateway. */
  name: string;
}

export function ownershipOf(o: LiveObject): Ownership {
  const owner = o.labels[LABEL.stack] ?? null;
  const address = owner ? (o.labels[LABEL.address] ?? null) : null;
  const declared = address ? /^[A-Za-z]+\.(.+?)(?:\[[^\]]*\])?$/.exec(address)?.[1] : undefined;
  return { owner, address, name: declared ?? o.name };
}

export const kindOf = (o: LiveObject): ResourceKind => KIND_OF_COLLECTION[o.collection];

/** One version of an object: the same collection, name and content on each of `nodes`. */
export interface HeldObject {
  object: LiveObject;
  nodes: string[];
}

/**
 * The objects of one environment's nodes, merged where nodes hold the same version; a version that differs
 * between nodes (drift) is listed once per version. In the order first seen.
 */
export function mergeNodes(nodes: readonly LiveNode[]): HeldObject[] {
  const held = new Map<string, HeldObject>();
  for (const node of nodes) {
    for (const object of node.objects) {
      const key = `${object.collection}\u0000${object.name}\u0000${versionOf(object)}`;
      const seen = held.get(key);
      if (seen) seen.nodes.push(node.node);
      else held.set(key, { object, nodes: [node.node] });
    }
  }
  return [...held.values()];
}

function versionOf(o: LiveObject): string {
  const content = JSON.stringify([Object.entries(o.fields).sort(([a], [b]) => a.localeCompare(b)), Object.entries(o.labels).sort(([a], [b]) => a.localeCompare(b))]);
  return createHash("sha256").update(content).digest("hex");
}

/** notBefore of a certificate object: from the view where it says, else from its PEM. */
export function notBeforeOf(o: LiveObject): string | null {
  if (typeof o.fields.notBefore === "string") return o.fields.notBefore;
  const pem = (o.fields.chain ?? o.fields.certificate) as string | undefined;
  if (!pem) return null;
  try {
    const leaf = liveChain(pem)[0];
    return leaf ? new Date(leaf.validFrom).toISOString() : null;
  } catch {
    return null;
  }
}
