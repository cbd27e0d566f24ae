import type { Collection } from "../api/admin-api.js";
import type { PersistentMap } from "../persistent-map.js";
import type { GatewayState, StoredIn } from "../state.js";

/** A new state with one object written; the other collections and objects are shared with `state`. */
export function withObject<C extends Collection>(state: GatewayState, collection: C, name: string, value: StoredIn<C>): GatewayState {
  return { ...state, [collection]: (state[collection] as PersistentMap<StoredIn<C>>).with(name, value) };
}

export function withoutObject(state: GatewayState, collection: Collection, name: string): GatewayState {
  return { ...state, [collection]: (state[collection] as PersistentMap<unknown>).without(name) };
}

/**
 * Same content, the revision aside: a PUT of what is stored changes nothing and bumps nothing, so a
 * plan right after an apply shows no changes. JSON form, because a state read back from disk has
 * no undefined members.
 */
export function sameContent(a: object, b: object): boolean {
  return canonical({ ...a, updatedRevision: 0 }) === canonical({ ...b, updatedRevision: 0 });
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  });
}

/** Members with undefined values left out, as the JSON file would have them. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
