// The file store under kill -9: a real process commits a stream of writes and is killed in the middle.
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/gateway/store/file-store.js";
import { tempDir } from "./support/pki.js";

describe("the file store", () => {
  // Without a threshold the kills land in journal appends; with a small one, compactions start every few
  // commits, so they also land between a compaction's steps.
  for (const [what, compactAfter] of [["journal appends", undefined], ["compactions", 2048]] as const) {
    it(`keeps every acknowledged commit, whole, through kill -9 in the middle of a stream of writes (${what})`, async () => {
      const script = fileURLToPath(new URL("./support/crash-writer.ts", import.meta.url));
      for (const acksBeforeKill of [1, 17, 60]) {
        const dir = await tempDir();
        const child = spawn(process.execPath, ["--import", "tsx", script, dir, ...(compactAfter ? [String(compactAfter)] : [])], { stdio: ["ignore", "pipe", "pipe"] });
        let acked = 0;
        let err = "";
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        await new Promise<void>((resolve, reject) => {
          child.once("exit", () => reject(new Error(`writer exited early: ${err}`)));
          child.stdout.on("data", (d: Buffer) => {
            for (const m of d.toString().matchAll(/acked (\d+)/g)) acked = Math.max(acked, Number(m[1]));
            if (acked >= acksBeforeKill) {
              child.kill("SIGKILL");
              resolve();
            }
          });
        });
        await exited;
        const store = await openStore(dir, { node: "crash", environment: "test" });
        const state = store.state();
        expect(state.revision).toBeGreaterThanOrEqual(acked);
        expect([...state.endpoints.keys()]).toHaveLength(state.revision);
        for (let i = 0; i < acked; i++) expect(state.endpoints.get(`e${i}`)?.path).toBe(`/e${i}`);
        // Reopening cleaned up: no temporary snapshot of the killed writer (the reopened store may already be
        // writing its own, compacting in the background), and at most the journals of an unfinished compaction.
        const files = await readdir(dir);
        expect(files.filter((f) => f.startsWith(`store.json.tmp-${child.pid}-`))).toEqual([]);
        expect(files.filter((f) => f.startsWith("store.journal.")).length).toBeLessThanOrEqual(2);
        await store.close();
        expect((await openStore(dir, { node: "crash", environment: "test" })).state()).toEqual(state);
      }
    });
  }
});
