import type { Collection } from "../api/admin-api.js";
import type { GatewayState } from "../state.js";

type Stored<C extends Collection> = GatewayState[C][string];

// Names come from URLs; "constructor" and friends must never resolve to Object.prototype members.
export function getOwn<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

// Every collection object made here, with the one it was made from and the name that differs: what a
// commit changed is then found by following these links instead of comparing 10,000 names.
const origins = new WeakMap<object, { base: object; name: string }>();

/** A new state with one object written (computed keys define own properties, so no name is special). */
export function withObject<C extends Collection>(state: GatewayState, collection: C, name: string, value: Stored<C>): GatewayState {
  const next = { ...state[collection], [name]: value };
  origins.set(next, { base: state[collection], name });
  return { ...state, [collection]: next };
}

export function withoutObject(state: GatewayState, collection: Collection, name: string): GatewayState {
  const { [name]: _removed, ...rest } = state[collection] as Record<string, unknown>;
  origins.set(rest, { base: state[collection], name });
  return { ...state, [collection]: rest };
}

/** One name whose entry is another object (or none) in a later version of a collection. */
export interface EntryChange<T> {
  name: string;
  before: T | undefined;
  after: T | undefined;
}

// Past this many links, comparing the two collections whole is as cheap.
const MAX_LINKS = 4096;

/**
 * The entries that differ between two versions of a collection, by object identity: an entry that is
 * the same object is unchanged (states are frozen). Follows withObject's links from `after` back to
 * `before` when it can, and compares every name otherwise.
 */
export function collectionChanges<T>(before: Readonly<Record<string, T>>, after: Readonly<Record<string, T>>): EntryChange<T>[] {
  if (before === after) return [];
  let names: Iterable<string> | undefined;
  const linked = new Set<string>();
  for (let cur: object = after, steps = 0; ; steps++) {
    if (cur === before) {
      names = linked;
      break;
    }
    const link = origins.get(cur);
    if (!link || steps > MAX_LINKS) break;
    linked.add(link.name);
    cur = link.base;
  }
  if (!names) {
    const all = new Set(Object.keys(after));
    for (const name of Object.keys(before)) all.add(name);
    names = all;
  }
  const out: EntryChange<T>[] = [];
  for (const name of names) {
    const b = getOwn(before, name);
    const a = getOwn(after, name);
    if (a !== b) out.push({ name, before: b, after: a });
  }
  return out;
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
