import { LABEL } from "../model/index.js";
import type { LiveCollection, LiveNode, LiveObject, LiveRequest } from "../providers/provider.js";

/** One node's objects, as the diff looks them up: the stack's own by address, every object by name. */
export interface LiveIndex {
  node: string;
  revision: number;
  owned: Map<string, LiveObject>;
  byName: Map<string, LiveObject>;
  /**
   * The stack's objects that share an address with the one in `owned`: a replacement that was created while
   * the old object's deletion never ran (an apply killed, or its node lost, in between). The diff deletes them.
   */
  leftovers: LiveObject[];
  /** The stack's pending signing requests, by the address of their certificate. */
  requests: Map<string, LiveRequest>;
}

export const nameKey = (collection: LiveCollection, name: string) => `${collection}\u0000${name.toLowerCase()}`;

export function indexLiveNode(live: LiveNode, stack: string): LiveIndex {
  const owned = new Map<string, LiveObject>();
  const byName = new Map<string, LiveObject>();
  const leftovers: LiveObject[] = [];
  for (const o of live.objects) {
    byName.set(nameKey(o.collection, o.name), o);
    const address = o.labels[LABEL.address];
    if (o.labels[LABEL.stack] !== stack || !address) continue;
    const other = owned.get(address);
    if (!other) owned.set(address, o);
    // The newest is what serves (the last written wins a host) and, after a replacement, what the stack declared.
    else if (newer(o, other)) {
      leftovers.push(other);
      owned.set(address, o);
    } else leftovers.push(o);
  }
  const requests = new Map<string, LiveRequest>();
  for (const r of live.requests ?? []) {
    const address = r.labels[LABEL.address];
    if (r.labels[LABEL.stack] === stack && address) requests.set(address, r);
  }
  return { node: live.node, revision: live.revision, owned, byName, leftovers, requests };
}

function newer(a: LiveObject, b: LiveObject): boolean {
  return (a.updatedRevision ?? -1) !== (b.updatedRevision ?? -1) ? (a.updatedRevision ?? -1) > (b.updatedRevision ?? -1) : a.name > b.name;
}
