import { hostname, userInfo } from "node:os";
import type { Provider } from "../providers/provider.js";
import { ProviderError } from "../providers/provider.js";

const TTL_SECONDS = 300;

export class LockHeldError extends Error {
  constructor(readonly environment: string, readonly node: string, readonly holder: string, readonly since: string) {
    super(`${environment} is locked by ${holder} since ${since} (node ${node})`);
    this.name = "LockHeldError";
  }
}

export interface HeldLocks {
  holder: string;
  release(): Promise<void>;
}

/** Who holds a lock, in words a colleague can act on. */
export function lockHolderName(command: string): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (some containers).
  }
  return `certform ${command} by ${user}@${hostname()} (pid ${process.pid})`;
}

/**
 * Takes the lock of every node of the given environments, or none: a second apply fails at once naming
 * the holder. The leases are renewed while held and released by `release()` (also on failure and Ctrl-C).
 */
export async function lockEnvironments(envs: { name: string; provider: Provider; nodes: string[] }[], holder: string, purpose: string): Promise<HeldLocks> {
  const held: { provider: Provider; node: string }[] = [];
  const releaseAll = async () => {
    await Promise.all(held.splice(0).map(({ provider, node }) => provider.unlock(node, holder).catch(() => undefined)));
  };
  try {
    for (const env of envs) {
      for (const node of env.nodes) {
        try {
          await env.provider.lock(node, holder, purpose, TTL_SECONDS);
          held.push({ provider: env.provider, node });
        } catch (err) {
          if (err instanceof ProviderError && err.code === "locked") {
            throw new LockHeldError(env.name, node, String(err.details?.holder ?? "someone else"), String(err.details?.since ?? "an unknown time"));
          }
          // Nothing was written yet, anywhere: say which environment could not be locked, and that.
          if (err instanceof ProviderError) {
            const wrapped = new ProviderError(`${env.name}: ${err.message}; nothing was changed on any gateway`, err.code, err.node, err.status, err.details, err.hint);
            wrapped.stack = err.stack;
            throw wrapped;
          }
          throw err;
        }
      }
    }
  } catch (err) {
    await releaseAll();
    throw err;
  }
  const renew = setInterval(() => {
    for (const { provider, node } of held) void provider.lock(node, holder, purpose, TTL_SECONDS).catch(() => undefined);
  }, (TTL_SECONDS / 3) * 1000);
  renew.unref();
  let released: Promise<void> | undefined;
  return {
    holder,
    release: () => (released ??= (clearInterval(renew), releaseAll())),
  };
}
