// The nodes the scale stack is planned and applied against: two environments (dev, prod) of two embedded
// gateway processes each, started empty on free ports from the compiled CLI, exactly as a user starts them.
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { killGroup, spawnTracked } from "./processes.js";

export interface Nodes {
  dev: string[];
  prod: string[];
  stop: () => Promise<void>;
}

const READY = /certform gateway ready admin=(\S+) listen=(\S+)/;

function startOne(repo: string, dataDir: string, environment: string, node: string): Promise<{ child: ChildProcess; admin: string }> {
  mkdirSync(dataDir, { recursive: true });
  const child = spawnTracked(process.execPath, [join(repo, "bin/certform.js"), "gateway", "start", "--data", dataDir, "--admin", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--environment", environment, "--node", node], {
    cwd: dataDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`gateway ${environment}/${node} did not print its ready line within 60 s: ${err.slice(-500)}`));
    }, 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, admin: m[1]! });
      }
    });
    // Keep reading stderr so that a chatty node never blocks on a full pipe.
    child.stderr!.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString("utf8")).slice(-4000);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gateway ${environment}/${node} exited (${code ?? signal}) before it was ready: ${err.slice(-500)}`));
    });
  });
}

async function stopOne(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts dev (d1, d2) and prod (p1, p2), fresh and empty, with their stores under dir. */
export async function startNodes(repo: string, dir: string): Promise<Nodes> {
  const specs = [
    ["dev", "d1"],
    ["dev", "d2"],
    ["prod", "p1"],
    ["prod", "p2"],
  ] as const;
  const started = await Promise.allSettled(specs.map(([env, node]) => startOne(repo, join(dir, node), env, node)));
  const children = started.flatMap((s) => (s.status === "fulfilled" ? [s.value.child] : []));
  const stop = async () => {
    await Promise.all(children.map(stopOne));
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const admins = started.map((s) => (s as PromiseFulfilledResult<{ admin: string }>).value.admin);
  return { dev: admins.slice(0, 2), prod: admins.slice(2), stop };
}
