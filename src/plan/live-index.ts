import { LABEL } from "../model/index.js";
import type { LiveCollection, LiveNode, LiveObject } from "../providers/provider.js";

/** One node's objects, as the diff looks them up: the stack's own by address, every object by name. */
export interface LiveIndex {
  node: string;
  revision: number;
  owned: Map<string, LiveObject>;
  byName: Map<string, LiveObject>;
}

export const nameKey = (collection: LiveCollection, name: string) => `${collection}\u0000${name.toLowerCase()}`;

export function indexLiveNode(live: LiveNode, stack: string): LiveIndex {
  const owned = new Map<string, LiveObject>();
  const byName = new Map<string, LiveObject>();
  for (const o of live.objects) {
    byName.set(nameKey(o.collection, o.name), o);
    const address = o.labels[LABEL.address];
    if (o.labels[LABEL.stack] === stack && address) owned.set(address, o);
  }
  return { node: live.node, revision: live.revision, owned, byName };
}
