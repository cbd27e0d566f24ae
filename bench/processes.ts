// Every process and temporary directory the benchmark run starts, so that they all go away at the end, on a
// failure, and on Ctrl-C. Children run in process groups of their own (detached) so that one kill reaches
// what they start in turn (`/usr/bin/time` → node, `npx tsx` → node, terraform's plugins).
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
/** Set once a signal asked the run to stop: nothing new starts after that. */
let stopping = false;

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `certform-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** spawn, detached into its own process group, remembered until it exits. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  if (stopping) throw new Error("the benchmark is stopping");
  const child = spawn(command, args, { ...options, detached: true });
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.once("error", () => children.delete(child));
  return child;
}

/** Kills the child's whole process group. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Stops every child still running and removes every temporary directory. Safe to call twice. */
export function cleanUp(): void {
  for (const child of children) killGroup(child);
  children.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      // a process killed a moment ago may still be writing in it; cleanUpAndWait handles that case
    }
  }
  dirs.clear();
}

/** As cleanUp, but first waits (up to 3 s) for the killed children to be gone, so that none writes into a directory being removed. */
export async function cleanUpAndWait(): Promise<void> {
  const running = [...children];
  const gone = running.map((child) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()))));
  for (const child of running) killGroup(child);
  await Promise.race([Promise.all(gone), new Promise((resolve) => setTimeout(resolve, 3000))]);
  cleanUp();
}

/** Cleans up on exit and on SIGINT/SIGTERM/SIGHUP (then exits 130/143/129). */
export function cleanUpOnExit(log: (line: string) => void): void {
  process.once("exit", cleanUp);
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const signal of Object.keys(codes) as NodeJS.Signals[]) {
    // `on`, not `once`: a second signal (a parent relaying it again) must not kill the run mid-cleanup.
    process.on(signal, () => {
      if (stopping) return;
      log(`${signal}: stopping every process the benchmark started and removing its temporary directories`);
      stopping = true;
      void cleanUpAndWait().finally(() => process.exit(codes[signal]));
    });
  }
}
