import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/pki.js";
import type { GatewayState } from "../state.js";
import { fail } from "./failure.js";
import { openStore } from "./file-store.js";
import { withObject } from "./records.js";

const ids = { node: "n1", environment: "dev" };
const addEndpoint = (name: string) => (s: GatewayState) =>
  withObject(s, "endpoints", name, { name, url: "http://127.0.0.1:1", path: `/${name}`, labels: {}, updatedRevision: s.revision + 1 });

describe("the file store", () => {
  it("creates an owner-only directory and file, and reopens to the same state", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, ids);
    expect(store.state()).toMatchObject({ format: 1, node: "n1", environment: "dev", revision: 0, lock: null });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "store.json"))).mode & 0o777).toBe(0o600);

    const r = await store.commit(addEndpoint("a"));
    expect(r).toMatchObject({ ok: true, changed: true, state: { revision: 1 } });
    expect((await stat(join(dir, "store.json"))).mode & 0o777).toBe(0o600);
    const reopened = await openStore(dir, ids);
    expect(reopened.state()).toEqual(store.state());
  });

  it("bumps the revision by one per change; a failure or an unchanged state writes nothing", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, ids);
    const seen: number[] = [];
    const off = store.onCommit((s, prev) => seen.push(s.revision - prev.revision));
    await store.commit(addEndpoint("a"));
    const before = await readFile(join(dir, "store.json"), "utf8");
    expect(await store.commit(() => fail(422, "x", "no"))).toEqual({ ok: false, failure: fail(422, "x", "no") });
    expect(await store.commit((s) => s)).toMatchObject({ ok: true, changed: false, state: { revision: 1 } });
    expect(await readFile(join(dir, "store.json"), "utf8")).toBe(before);
    const kept = await store.commit((s) => ({ ...s, lock: { holder: "h", purpose: "", since: "x", expiresAt: "y" } }), { bumpRevision: false });
    expect(kept).toMatchObject({ ok: true, changed: true, state: { revision: 1 } });
    off();
    await store.commit(addEndpoint("b"));
    expect(seen).toEqual([1, 0]);
    expect(store.state().revision).toBe(2);
  });

  it("runs commits one at a time, each on the state the previous one left", async () => {
    const store = await openStore(await tempDir(), ids);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => store.commit(addEndpoint(`e${i}`))));
    expect(results.map((r) => r.ok && r.state.revision)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect([...store.state().endpoints.keys()]).toHaveLength(25);
    // A commit that throws rejects alone; the queue goes on.
    await expect(store.commit(() => { throw new Error("bug"); })).rejects.toThrow("bug");
    expect((await store.commit(addEndpoint("after"))).ok).toBe(true);
  });

  it("hands out frozen states, so a mutation that edits in place fails loudly", async () => {
    const store = await openStore(await tempDir(), ids);
    await store.commit(addEndpoint("a"));
    await expect(store.commit((s) => { (s.endpoints.get("a") as { url: string }).url = "http://evil"; return s; })).rejects.toThrow(TypeError);
    expect(store.state().endpoints.get("a")!.url).toBe("http://127.0.0.1:1");
  });

  it("removes leftover temporary files, and refuses a store of another node or a damaged one", async () => {
    const dir = await tempDir();
    await (await openStore(dir, ids)).commit(addEndpoint("a"));
    await writeFile(join(dir, "store.json.tmp-999-3"), '{"half": ');
    await openStore(dir, ids);
    expect((await readdir(dir)).filter((f) => f.startsWith("store.json.tmp"))).toEqual([]);
    await expect(openStore(dir, { node: "n2", environment: "dev" })).rejects.toThrow(/belongs to node "n1" of environment "dev".*--node n1/);
    await writeFile(join(dir, "store.json"), "{ not json");
    await expect(openStore(dir, ids)).rejects.toThrow(/not valid JSON/);
    expect(await readFile(join(dir, "store.json"), "utf8")).toBe("{ not json");
    await writeFile(join(dir, "store.json"), '{"format": 2}');
    await expect(openStore(dir, ids)).rejects.toThrow(/not a certform gateway store \(format 2 is not 1\)/);
  });
});
