import { ProviderError, type LockInfo } from "../provider.js";
import type { AdminClient, ApiResult } from "./client.js";
import { badResponse } from "./errors.js";
import { lockInfo } from "./transformer.js";

// The node's lease lock (POST/DELETE /v1/lock). These calls are retried like reads: acquiring again as the
// same holder renews, and a release that already happened answers 404 not-locked, which unlock accepts.

const notLocked = (err: unknown): boolean => err instanceof ProviderError && err.status === 404 && err.code === "not-locked";

function lockOf(node: string, method: string, path: string, res: ApiResult): LockInfo {
  const lock = lockInfo(res.json);
  if (!lock) throw badResponse({ node, method, path, attempts: 1 }, res.status, "no lock in the answer");
  return lock;
}

export async function acquireLock(client: AdminClient, node: string, holder: string, purpose: string, ttlSeconds: number): Promise<LockInfo> {
  const res = await client.call(node, { method: "POST", path: "/v1/lock", body: { holder, purpose, ttlSeconds }, safety: "idempotent" });
  return lockOf(node, "POST", "/v1/lock", res);
}

/** Releases the holder's lock. Already free (expired, released by an earlier attempt) is fine; someone else's lock is a 423. */
export async function releaseLock(client: AdminClient, node: string, holder: string): Promise<void> {
  try {
    await client.call(node, { method: "DELETE", path: "/v1/lock", body: { holder }, safety: "idempotent" });
  } catch (err) {
    if (!notLocked(err)) throw err;
  }
}

export async function forceReleaseLock(client: AdminClient, node: string): Promise<LockInfo | undefined> {
  try {
    const res = await client.call(node, { method: "DELETE", path: "/v1/lock?force=true", safety: "idempotent" });
    return lockOf(node, "DELETE", "/v1/lock?force=true", res);
  } catch (err) {
    if (notLocked(err)) return undefined;
    throw err;
  }
}
