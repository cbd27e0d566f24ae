import { describe, expect, it } from "vitest";
import { PersistentMap } from "./persistent-map.js";

const names = (m: PersistentMap<unknown>) => [...m.keys()].sort();

describe("the persistent map of a collection", () => {
  it("writes into a new map and leaves the old one as it was", () => {
    const a = PersistentMap.from({ x: 1, y: 2 });
    const b = a.with("z", 3).without("x");
    expect(names(a)).toEqual(["x", "y"]);
    expect(names(b)).toEqual(["y", "z"]);
    expect([a.size, b.size]).toEqual([2, 2]);
    expect([b.get("z"), b.get("x"), b.has("y"), b.has("x")]).toEqual([3, undefined, true, false]);
    expect(a.with("x", 1)).toBe(a);
    expect(a.without("nope")).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("treats every name as a name, and writes the JSON form store.json has always had", () => {
    const m = PersistentMap.empty<number>().with("__proto__", 1).with("constructor", 2);
    expect(m.get("__proto__")).toBe(1);
    expect(m.get("toString")).toBeUndefined();
    expect(JSON.parse(JSON.stringify({ c: m }))).toEqual({ c: JSON.parse('{"__proto__": 1, "constructor": 2}') });
    expect(Object.getPrototypeOf(JSON.parse(JSON.stringify(m)))).toBe(Object.prototype);
  });

  it("iterates equal contents alike, however the map was made", () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `n${(i * 7919) % 2000}`);
    const built = keys.reduce((m, k) => m.with(k, k.length), PersistentMap.empty<number>());
    const from = PersistentMap.from(keys.slice().reverse().map((k) => [k, k.length] as const));
    expect([...built.entries()]).toEqual([...from.entries()]);
    expect(built.size).toBe(2000);
  });

  it("finds what changed between two versions, whatever their history", () => {
    const one = { v: 1 };
    const base = PersistentMap.from(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c${i}`, { v: i }])));
    const next = base.with("c5", one).with("new", one).without("c9");
    const changes = PersistentMap.changes(base, next).sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(changes).toEqual([
      { name: "c5", before: { v: 5 }, after: one },
      { name: "c9", before: { v: 9 }, after: undefined },
      { name: "new", before: undefined, after: one },
    ]);
    expect(PersistentMap.changes(next, next)).toEqual([]);
    // Two maps built apart from each other share nothing, and are still compared right.
    const apart = PersistentMap.from([...next.entries()]);
    expect(PersistentMap.changes(next, apart)).toEqual([]);
  });
});
