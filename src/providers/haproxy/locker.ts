import { open, readFile, rm } from "node:fs/promises";
import { ProviderError, type LockInfo } from "../provider.js";
import { writeAtomically } from "./files.js";
import type { Layout } from "./layout.js";

// The lock of an environment's HAProxy data: a file next to it (HAProxy has no lock of its own). Every node
// of the environment shares the data directory, so they share the lock: the same holder taking it again
// for another node renews it.

export async function readLock(layout: Layout, now = Date.now()): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(layout.lockFile, "utf8");
  } catch {
    return undefined;
  }
  try {
    const lock = JSON.parse(text) as LockInfo;
    return Date.parse(lock.expiresAt) > now ? lock : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireLock(layout: Layout, node: string, holder: string, purpose: string, ttlSeconds: number): Promise<LockInfo> {
  const now = new Date();
  const current = await readLock(layout, now.getTime());
  if (current && current.holder !== holder) {
    throw new ProviderError(`node ${node}: locked by ${current.holder} (${current.purpose}) since ${current.since}`, "locked", node, undefined, { ...current }, "another apply holds the environment's lock: wait for it to finish, or run certform force-unlock ENV if it was killed");
  }
  const lock: LockInfo = { holder, purpose: current?.purpose ?? purpose, since: current?.since ?? now.toISOString(), expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
  const text = `${JSON.stringify(lock)}\n`;
  if (current) await writeAtomically(layout.lockFile, text);
  else {
    // No live lock: create the file exclusively, so that of two applies starting together one wins. An
    // expired lock's file is replaced first.
    await rm(layout.lockFile, { force: true });
    try {
      const handle = await open(layout.lockFile, "wx", 0o600);
      await handle.writeFile(text);
      await handle.close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return acquireLock(layout, node, holder, purpose, ttlSeconds);
      throw err;
    }
  }
  return lock;
}

export async function releaseLock(layout: Layout, holder: string): Promise<void> {
  const current = await readLock(layout);
  if (current && current.holder !== holder) return;
  await rm(layout.lockFile, { force: true });
}

export async function forceReleaseLock(layout: Layout): Promise<LockInfo | undefined> {
  const current = await readLock(layout);
  await rm(layout.lockFile, { force: true });
  return current;
}
