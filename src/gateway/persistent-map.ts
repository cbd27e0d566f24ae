/**
 * An immutable map from names to stored objects, the form of every collection in a GatewayState. A write
 * makes a new map that shares all but one bucket with the old one: with 10,000 certificates it copies
 * about 40 entries, where copying a plain object copied 10,000. For the same reason two versions are
 * compared bucket by bucket, and buckets that are the same object are skipped.
 * Iteration order is a function of the names alone (by bucket, then by name), not insertion order:
 * whatever shows objects to a person sorts them.
 */

const BUCKETS = 256;

// FNV-1a: cheap, and spreads names that differ only in a digit.
function bucketOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

type Buckets<T> = readonly (ReadonlyMap<string, T> | undefined)[];

/** One name whose entry is another object (or none) in a later version of a map. */
export interface EntryChange<T> {
  name: string;
  before: T | undefined;
  after: T | undefined;
}

export class PersistentMap<T> implements Iterable<[string, T]> {
  readonly #buckets: Buckets<T>;
  readonly #size: number;

  private constructor(buckets: Buckets<T>, size: number) {
    this.#buckets = buckets;
    this.#size = size;
    Object.freeze(this);
  }

  static empty<T>(): PersistentMap<T> {
    return EMPTY as PersistentMap<T>;
  }

  /** From a plain object (own members only; "__proto__" is a name like any other) or from entries. */
  static from<T>(source: Readonly<Record<string, T>> | Iterable<readonly [string, T]>): PersistentMap<T> {
    const entries: Iterable<readonly [string, T]> = Symbol.iterator in source ? (source as Iterable<readonly [string, T]>) : Object.entries(source as Record<string, T>);
    const buckets: Map<string, T>[] = new Array(BUCKETS);
    for (const [name, value] of entries) {
      const i = bucketOf(name);
      (buckets[i] ??= new Map()).set(name, value);
    }
    let size = 0;
    for (const [i, b] of buckets.entries()) {
      if (!b) continue;
      size += b.size;
      if (b.size > 1) buckets[i] = new Map([...b].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    }
    return size === 0 ? PersistentMap.empty() : new PersistentMap(Array.from(buckets), size);
  }

  get size(): number {
    return this.#size;
  }

  get(name: string): T | undefined {
    return this.#buckets[bucketOf(name)]?.get(name);
  }

  has(name: string): boolean {
    return this.#buckets[bucketOf(name)]?.has(name) ?? false;
  }

  /** A map with `name` set to `value`; this map itself when it already holds that very object. */
  with(name: string, value: T): PersistentMap<T> {
    const i = bucketOf(name);
    const old = this.#buckets[i];
    const had = old?.has(name) ?? false;
    if (had && old!.get(name) === value) return this;
    let bucket: Map<string, T>;
    if (had) bucket = new Map(old).set(name, value);
    else {
      // Kept in name order, so that equal maps iterate alike however they were made.
      bucket = new Map();
      let placed = false;
      for (const [k, v] of old ?? []) {
        if (!placed && name < k) {
          bucket.set(name, value);
          placed = true;
        }
        bucket.set(k, v);
      }
      if (!placed) bucket.set(name, value);
    }
    const buckets = this.#buckets.slice();
    buckets[i] = bucket;
    return new PersistentMap(buckets, this.#size + (had ? 0 : 1));
  }

  /** A map without `name`; this map itself when it has no such entry. */
  without(name: string): PersistentMap<T> {
    const i = bucketOf(name);
    const old = this.#buckets[i];
    if (!old?.has(name)) return this;
    const bucket = new Map(old);
    bucket.delete(name);
    const buckets = this.#buckets.slice();
    buckets[i] = bucket.size > 0 ? bucket : undefined;
    return new PersistentMap(buckets, this.#size - 1);
  }

  *entries(): IterableIterator<[string, T]> {
    for (const b of this.#buckets) if (b) yield* b;
  }

  *keys(): IterableIterator<string> {
    for (const b of this.#buckets) if (b) yield* b.keys();
  }

  *values(): IterableIterator<T> {
    for (const b of this.#buckets) if (b) yield* b.values();
  }

  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries();
  }

  /** The JSON form: a plain object by name, as store.json has always held it. */
  toJSON(): Record<string, T> {
    return Object.fromEntries(this.entries());
  }

  /** The entries that are other objects in `after` than in `before`, found by comparing buckets. */
  static changes<T>(before: PersistentMap<T>, after: PersistentMap<T>): EntryChange<T>[] {
    if (before === after) return [];
    const out: EntryChange<T>[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const was = before.#buckets[i];
      const now = after.#buckets[i];
      if (was === now) continue;
      if (now) {
        for (const [name, value] of now) {
          const old = was?.get(name);
          if (old !== value) out.push({ name, before: old, after: value });
        }
      }
      if (was) for (const [name, old] of was) if (!now?.has(name)) out.push({ name, before: old, after: undefined });
    }
    return out;
  }
}

const EMPTY = new (PersistentMap as unknown as new (buckets: Buckets<unknown>, size: number) => PersistentMap<unknown>)(Object.freeze(new Array(BUCKETS).fill(undefined)), 0);
