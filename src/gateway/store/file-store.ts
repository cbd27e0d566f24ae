import { chmod, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { emptyState, type GatewayState } from "../state.js";
import { isFailure, type Failure } from "./failure.js";
import { checkStateShape } from "./state-shape.js";

export const STORE_FILE = "store.json";
const TMP_PREFIX = `${STORE_FILE}.tmp-`;

export interface CommitOptions {
  /**
   * Default true. The lock's lease lives in the state but is not a change of what the node serves:
   * lock commits keep the revision, so taking the lock does not make a saved plan stale.
   */
  bumpRevision?: boolean;
}

export type CommitResult = { ok: true; state: GatewayState; changed: boolean } | { ok: false; failure: Failure };
export type CommitListener = (state: GatewayState, previous: GatewayState) => void;

export interface Store {
  readonly dir: string;
  /** The last durable state; deep-frozen. */
  state(): GatewayState;
  /**
   * Runs `fn` on the current state, one commit at a time. `fn` is pure: it returns a new state, the
   * same state (nothing to write: no file write, no revision bump) or a Failure. The new state is on
   * disk (fsynced, renamed, directory fsynced) before the promise resolves and listeners run.
   */
  commit(fn: (current: GatewayState) => GatewayState | Failure, opts?: CommitOptions): Promise<CommitResult>;
  /** Called after every durable write; returns the unsubscribe function. */
  onCommit(listener: CommitListener): () => void;
  /** Resolves once every commit queued so far has finished. */
  close(): Promise<void>;
}

/**
 * Opens (or creates) the store of one node in `dir`: one JSON document, replaced atomically.
 * A store that belongs to another node or environment is refused rather than adopted: two nodes
 * sharing a data directory would overwrite each other's commits.
 */
export async function openStore(dir: string, ids: { node: string; environment: string }): Promise<Store> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The directory holds private keys: owner only, whatever it was created with.
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(TMP_PREFIX)) await rm(join(dir, entry), { force: true });
  }
  const path = join(dir, STORE_FILE);
  let committed = await load(path);
  if (committed) {
    if (committed.node !== ids.node || committed.environment !== ids.environment) {
      throw storeError(
        "store-identity",
        `${path} belongs to node ${JSON.stringify(committed.node)} of environment ${JSON.stringify(committed.environment)}, not to node ${JSON.stringify(ids.node)} of ${JSON.stringify(ids.environment)}; start it with --node ${committed.node} --environment ${committed.environment}, or give this node its own --data directory`,
      );
    }
    await chmod(path, 0o600);
  } else {
    committed = emptyState(ids.node, ids.environment);
    await writeDurably(dir, committed, 0);
  }
  let current: GatewayState = deepFreeze(committed);
  let queue: Promise<unknown> = Promise.resolve();
  let writes = 0;
  const listeners = new Set<CommitListener>();

  const run = async (fn: (current: GatewayState) => GatewayState | Failure, opts: CommitOptions): Promise<CommitResult> => {
    const before = current;
    const result = fn(before);
    if (isFailure(result)) return { ok: false, failure: result };
    if (result === before) return { ok: true, state: before, changed: false };
    const next = deepFreeze({
      ...result,
      format: 1 as const,
      node: before.node,
      environment: before.environment,
      revision: opts.bumpRevision === false ? before.revision : before.revision + 1,
    });
    await writeDurably(dir, next, ++writes);
    current = next;
    for (const listener of listeners) {
      try {
        listener(next, before);
      } catch (err) {
        // The commit is durable whatever a listener does; its failure is the listener's bug to report.
        process.emitWarning(`a store commit listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { ok: true, state: next, changed: true };
  };

  return {
    dir,
    state: () => current,
    commit(fn, opts = {}) {
      const p = queue.then(() => run(fn, opts));
      queue = p.catch(() => undefined);
      return p;
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await queue;
    },
  };
}

async function load(path: string): Promise<GatewayState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never overwritten: a store that cannot be read is a problem for a person, not for a fresh start.
    throw storeError("store-unreadable", `${path} is not valid JSON; restore it from a backup or move it away to start empty`);
  }
  const problem = checkStateShape(parsed);
  if (problem) throw storeError("store-unreadable", `${path} is not a certform gateway store (${problem}); restore it from a backup or move it away to start empty`);
  return parsed as GatewayState;
}

/** write tmp → fsync → rename over → fsync the directory: a crash leaves the old or the new document, whole. */
async function writeDurably(dir: string, state: GatewayState, seq: number): Promise<void> {
  const tmp = join(dir, `${TMP_PREFIX}${process.pid}-${seq}`);
  try {
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(state)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, STORE_FILE));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function storeError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

// Frozen states make a mutation that edits `current` in place fail loudly instead of corrupting it.
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
