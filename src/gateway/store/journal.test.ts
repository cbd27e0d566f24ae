import { randomBytes } from "node:crypto";
import { appendFile, copyFile, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/pki.js";
import { PersistentMap } from "../persistent-map.js";
import type { GatewayState, StoredCertificate } from "../state.js";
import { openStore } from "./file-store.js";
import { journalWriter } from "./journal-writer.js";
import { withObject, withoutObject } from "./records.js";
import { diffStates } from "./state-diff.js";
import { writeSnapshot } from "./store-files.js";

const ids = { node: "n1", environment: "dev" };
const endpoint = (name: string) => (s: GatewayState) =>
  withObject(s, "endpoints", name, { name, url: "http://127.0.0.1:1", path: `/${name}`, labels: {}, updatedRevision: s.revision + 1 });
const files = async (dir: string) => (await readdir(dir)).sort();

/** Three endpoint commits, a lock taken (no revision bump) and one endpoint deleted, never closed: as a kill leaves it. */
async function killedStore(dir: string) {
  const store = await openStore(dir, ids);
  for (const name of ["a", "b", "c"]) await store.commit(endpoint(name));
  await store.commit((s) => ({ ...s, lock: { holder: "h", purpose: "p", since: "2024-01-01T00:00:00.000Z", expiresAt: "2999-01-01T00:00:00.000Z" } }), { bumpRevision: false });
  await store.commit((s) => withoutObject(s, "endpoints", "b"));
  return store.state();
}

describe("the store's journal", () => {
  it("appends each commit to the journal and replays it when the store is opened after a kill", async () => {
    const dir = await tempDir();
    const snapshot = await readFile(join(dir, "store.json"), "utf8").catch(() => undefined);
    expect(snapshot).toBeUndefined();
    const expected = await killedStore(dir);
    expect(expected).toMatchObject({ revision: 4, lock: { holder: "h" } });
    expect([...expected.endpoints.keys()]).toEqual(["a", "c"]);
    // The snapshot still holds the empty store: every commit went to the journal only.
    expect(JSON.parse(await readFile(join(dir, "store.json"), "utf8"))).toMatchObject({ revision: 0, endpoints: {} });
    expect(await files(dir)).toEqual(["store.journal.0", "store.json"]);
    expect((await stat(join(dir, "store.journal.0"))).mode & 0o777).toBe(0o600);

    const reopened = await openStore(dir, ids);
    expect(reopened.state()).toEqual(expected);
    expect(Object.isFrozen(reopened.state().endpoints.get("a"))).toBe(true);
    // And it goes on from there.
    expect(await reopened.commit(endpoint("d"))).toMatchObject({ ok: true, state: { revision: 5 } });
    expect([...(await openStore(dir, ids)).state().endpoints.keys()].sort()).toEqual(["a", "c", "d"]);
  });

  it("ignores a torn last record (never acknowledged), cuts it off, and appends after the whole ones", async () => {
    for (const tail of [Buffer.from("CFJ1\0\0\x01"), Buffer.alloc(300), Buffer.concat([Buffer.from("CFJ1\0\0\0\x05\0\0\0\0"), Buffer.from("{}{}{")])]) {
      const dir = await tempDir();
      const expected = await killedStore(dir);
      const journal = join(dir, "store.journal.0");
      const whole = (await stat(journal)).size;
      await appendFile(journal, tail);
      const reopened = await openStore(dir, ids);
      expect(reopened.state()).toEqual(expected);
      expect((await stat(journal)).size).toBe(whole);
      await reopened.commit(endpoint("d"));
      expect((await openStore(dir, ids)).state().endpoints.get("d")).toBeDefined();
    }
  });

  it("refuses a journal damaged in the middle, naming the file and leaving it as it is", async () => {
    const dir = await tempDir();
    await killedStore(dir);
    const journal = join(dir, "store.journal.0");
    const bytes = await readFile(journal);
    // Inside the second record's payload: its checksum fails, and whole records follow it.
    const second = bytes.indexOf("CFJ1", bytes.indexOf("CFJ1", 4) + 4);
    bytes[second + 20] = bytes[second + 20]! ^ 0x01;
    await writeFile(journal, bytes);
    const refused = openStore(dir, ids);
    await expect(refused).rejects.toMatchObject({ code: "store-unreadable" });
    await expect(refused).rejects.toThrow(/store\.journal\.0 is damaged \(a record at byte \d+ does not check out, and records follow it\).*restore the directory from a backup/);
    expect(await readFile(journal)).toEqual(bytes);
  });

  it("refuses journals that do not belong to the snapshot beside them", async () => {
    const dir = await tempDir();
    await killedStore(dir);
    // A snapshot restored from an older copy while later journals are still there.
    await writeFile(join(dir, "store.journal.5"), "");
    await expect(openStore(dir, ids)).rejects.toThrow(/store\.journal\.5 is newer than .*store\.json \(generation 0\)/);
    // The journal after the snapshot's own, without it: that one's commits are lost.
    await rm(join(dir, "store.journal.5"));
    await rename(join(dir, "store.journal.0"), join(dir, "store.journal.1"));
    await expect(openStore(dir, ids)).rejects.toThrow(/store\.journal\.0 is missing, yet store\.journal\.1 follows it/);
    await rename(join(dir, "store.journal.1"), join(dir, "store.journal.0"));

    const orphan = await tempDir();
    await copyFile(join(dir, "store.journal.0"), join(orphan, "store.journal.0"));
    await expect(openStore(orphan, ids)).rejects.toThrow(/store\.journal\.0 has no store\.json beside it/);

    const other = await tempDir();
    await (await openStore(other, { node: "n2", environment: "dev" })).close();
    await copyFile(join(dir, "store.journal.0"), join(other, "store.journal.0"));
    await expect(openStore(other, { node: "n2", environment: "dev" })).rejects.toThrow(/belongs to node "n1" of environment "dev", not to the node of store\.json/);
  });

  it("compacts the journal into a new snapshot once it outgrows the snapshot", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, ids, { compactAfterBytes: 1 });
    for (const name of ["a", "b", "c", "d"]) await store.commit(endpoint(name));
    await store.close();
    const names = await files(dir);
    expect(names).toHaveLength(2);
    expect(names[1]).toBe("store.json");
    const generation = Number(names[0]!.slice("store.journal.".length));
    expect(generation).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dir, "store.json"), "utf8"))).toMatchObject({ generation, revision: 4 });
    expect((await stat(join(dir, "store.json"))).mode & 0o777).toBe(0o600);
    expect((await openStore(dir, ids)).state()).toEqual(store.state());
  });
});

describe("a compaction interrupted at any step", () => {
  // Commits c1..c3 went to journal 0 over the empty snapshot of generation 0; compaction then started
  // journal 1 (where c4 went), wrote the snapshot of generation 1 holding c1..c3, and deleted journal 0.
  // Each case is the directory a kill at one point leaves behind.
  async function steps() {
    const source = await tempDir();
    const store = await openStore(source, ids, { compactAfterBytes: 1 << 30 });
    const s0 = store.state();
    for (const name of ["c1", "c2", "c3"]) await store.commit(endpoint(name));
    const s3 = store.state();
    const s4 = endpoint("c4")(s3);
    return { source, s0, s3, s4: { ...s4, revision: 4 } };
  }

  async function layout(parts: { snapshot: 0 | 1 | "s4"; journal0: boolean; journal1: "none" | "torn" | "header" | "c4"; tmp?: boolean }) {
    const { source, s3, s4 } = await steps();
    const dir = await tempDir();
    if (parts.snapshot === 0) await copyFile(join(source, "store.json"), join(dir, "store.json"));
    else await writeSnapshot(dir, parts.snapshot === 1 ? s3 : s4, 1, 0);
    if (parts.journal0) await copyFile(join(source, "store.journal.0"), join(dir, "store.journal.0"));
    if (parts.journal1 !== "none") {
      const j1 = journalWriter(dir, ids, 1);
      await j1.create();
      if (parts.journal1 === "c4") await j1.append(diffStates(s3, s4));
      if (parts.journal1 === "torn") await writeFile(join(dir, "store.journal.1"), (await readFile(join(dir, "store.journal.1"))).subarray(0, 9));
    }
    if (parts.tmp) await writeFile(join(dir, `store.json.tmp-4242-1`), JSON.stringify(s3).slice(0, 50));
    return { dir, s3, s4 };
  }

  const cases = [
    ["before journal 1 is whole", { snapshot: 0, journal0: true, journal1: "torn" }, "s3"],
    ["after journal 1 is made, before a commit went there", { snapshot: 0, journal0: true, journal1: "header" }, "s3"],
    ["after a commit went to journal 1", { snapshot: 0, journal0: true, journal1: "c4" }, "s4"],
    ["while the new snapshot is being written", { snapshot: 0, journal0: true, journal1: "c4", tmp: true }, "s4"],
    ["after the new snapshot replaced the old one", { snapshot: 1, journal0: true, journal1: "c4" }, "s4"],
    ["after journal 0 was deleted", { snapshot: 1, journal0: false, journal1: "c4" }, "s4"],
    ["after a retried compaction wrote a snapshot that already holds journal 1", { snapshot: "s4", journal0: true, journal1: "c4" }, "s4"],
  ] as const;

  for (const [when, parts, expected] of cases) {
    it(`gives the last acknowledged state when killed ${when}, and finishes the compaction`, async () => {
      const { dir, s3, s4 } = await layout(parts);
      const want = expected === "s3" ? s3 : s4;
      const store = await openStore(dir, ids);
      expect(store.state()).toEqual(want);
      expect((await files(dir)).filter((f) => f.includes(".tmp-4242"))).toEqual([]);
      await store.commit(endpoint("c5"));
      await store.close();
      expect((await files(dir)).filter((f) => f.startsWith("store.journal."))).toHaveLength(1);
      const reopened = (await openStore(dir, ids)).state();
      expect(reopened.revision).toBe(want.revision + 1);
      expect([...reopened.endpoints.keys()].sort()).toEqual([...[...want.endpoints.keys()], "c5"].sort());
    });
  }
});

describe("one write into a store of 10,000 certificates", () => {
  it("appends kilobytes and rewrites nothing", async () => {
    const dir = await tempDir();
    // Certificate-sized records: the store neither parses nor checks what it is given to keep.
    const record = (i: number): StoredCertificate => ({
      name: `c${i}`,
      hosts: [`h${i}.example.com`],
      default: false,
      chainPem: `-----BEGIN CERTIFICATE-----\n${randomBytes(1100).toString("base64")}\n-----END CERTIFICATE-----\n`,
      keyPem: `-----BEGIN PRIVATE KEY-----\n${randomBytes(138).toString("base64")}\n-----END PRIVATE KEY-----\n`,
      generated: false,
      labels: {},
      updatedRevision: 1,
    });
    const first = await openStore(dir, ids);
    const certificates = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c${i}`, record(i)]));
    await first.commit((s) => ({ ...s, certificates: PersistentMap.from(certificates) }));
    await first.close();

    const store = await openStore(dir, ids);
    const before = new Map(await Promise.all((await files(dir)).map(async (f) => [f, await stat(join(dir, f))] as const)));
    const total = [...before.values()].reduce((n, s) => n + s.size, 0);
    expect(total).toBeGreaterThan(16 * 2 ** 20);
    await store.commit((s) => withObject(s, "certificates", "new", { ...record(10_000), name: "new", updatedRevision: s.revision + 1 }));
    const after = new Map(await Promise.all((await files(dir)).map(async (f) => [f, await stat(join(dir, f))] as const)));
    expect([...after.keys()]).toEqual([...before.keys()]);
    let written = 0;
    for (const [f, s] of after) {
      const was = before.get(f)!;
      // Same file (not replaced) and not shorter: only appended to.
      expect(s.ino, f).toBe(was.ino);
      expect(s.size, f).toBeGreaterThanOrEqual(was.size);
      written += s.size - was.size;
    }
    expect(written).toBeGreaterThan(1500);
    expect(written).toBeLessThan(8 * 1024);
    expect((await openStore(dir, ids)).state().certificates.get("new")?.chainPem).toBe(store.state().certificates.get("new")!.chainPem);
  });
});
