import { chmod, mkdir, open, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { PersistentMap } from "../persistent-map.js";
import { emptyState, type GatewayState } from "../state.js";
import { isFailure, type Failure } from "./failure.js";
import { journalWriter, type JournalWriter } from "./journal-writer.js";
import { COLLECTIONS, type Collection } from "../api/admin-api.js";
import { diffStates, type StateChange } from "./state-diff.js";
import { unwritableStore } from "./unwritable.js";
import { journalFile, loadStore, STORE_FILE, storeError, TMP_PREFIX, writeSnapshot } from "./store-files.js";

export { STORE_FILE } from "./store-files.js";

export interface CommitOptions {
  /**
   * Default true. The lock's lease lives in the state but is not a change of what the node serves:
   * lock commits keep the revision, so taking the lock does not make a saved plan stale.
   */
  bumpRevision?: boolean;
}

export interface StoreOptions {
  /** The journal is compacted into a new snapshot once it outgrows the snapshot and this many bytes. Default 1 MiB. */
  compactAfterBytes?: number;
  /** Where a failed compaction is reported (the store goes on with its journal). Default: a process warning. */
  warn?: (message: string) => void;
}

export type CommitResult = { ok: true; state: GatewayState; changed: boolean } | { ok: false; failure: Failure };
export type CommitListener = (state: GatewayState, previous: GatewayState) => void;

export interface Store {
  readonly dir: string;
  /** The last durable state; deep-frozen. */
  state(): GatewayState;
  /**
   * Runs `fn` on the current state, one commit at a time. `fn` is pure: it returns a new state, the
   * same state (nothing to write: no file write, no revision bump) or a Failure. What changed is in the
   * journal (appended, fsynced) before the promise resolves and listeners run.
   */
  commit(fn: (current: GatewayState) => GatewayState | Failure, opts?: CommitOptions): Promise<CommitResult>;
  /** Called after every durable write; returns the unsubscribe function. */
  onCommit(listener: CommitListener): () => void;
  /** Resolves once every commit queued so far has finished, and the journal is compacted into the snapshot. */
  close(): Promise<void>;
}

const DEFAULT_COMPACT_AFTER = 1 << 20;
const RETRY_COMPACTION_MS = 30_000;

/**
 * Opens (or creates) the store of one node in `dir`: a snapshot and a journal of the commits since (see
 * store-files.ts). A commit appends only the objects it changed. A store that belongs to another node or
 * environment is refused rather than adopted: two nodes sharing a data directory would overwrite each
 * other's commits.
 */
export async function openStore(dir: string, ids: { node: string; environment: string }, opts: StoreOptions = {}): Promise<Store> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The directory holds private keys: owner only, whatever it was created with.
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(TMP_PREFIX)) await rm(join(dir, entry), { force: true });
  }
  const warn = opts.warn ?? ((message: string) => process.emitWarning(message));
  const compactAfter = opts.compactAfterBytes ?? DEFAULT_COMPACT_AFTER;
  const loaded = await loadStore(dir);
  let writes = 0;
  let snapshotGeneration = 0;
  let snapshotBytes: number;
  let journal: JournalWriter;
  /** Bytes of the previous journal while a compaction has not yet replaced the snapshot. */
  let olderJournalBytes = 0;
  let committed: GatewayState;
  if (loaded) {
    committed = loaded.state;
    if (committed.node !== ids.node || committed.environment !== ids.environment) {
      throw storeError(
        "store-identity",
        `${join(dir, STORE_FILE)} belongs to node ${JSON.stringify(committed.node)} of environment ${JSON.stringify(committed.environment)}, not to node ${JSON.stringify(ids.node)} of ${JSON.stringify(ids.environment)}; start it with --node ${committed.node} --environment ${committed.environment}, or give this node its own --data directory`,
      );
    }
    await chmod(join(dir, STORE_FILE), 0o600);
    snapshotGeneration = loaded.snapshotGeneration;
    snapshotBytes = loaded.snapshotBytes;
    for (const g of loaded.stale) await rm(join(dir, journalFile(g)), { force: true });
    const live = [];
    for (const j of loaded.journals) {
      // A torn last record was never acknowledged: cut it off, so that the next one follows whole records.
      if (j.end === 0) await rm(join(dir, journalFile(j.generation)), { force: true });
      else {
        if (j.size > j.end) await truncate(join(dir, journalFile(j.generation)), j.end);
        await chmod(join(dir, journalFile(j.generation)), 0o600);
        live.push(j);
      }
    }
    const last = live[live.length - 1];
    journal = last ? journalWriter(dir, ids, last.generation, { size: last.end, records: last.records }) : journalWriter(dir, ids, snapshotGeneration);
    olderJournalBytes = live.length > 1 ? live[0]!.end : 0;
  } else {
    committed = emptyState(ids.node, ids.environment);
    snapshotBytes = await writeSnapshot(dir, committed, 0, 0);
    journal = journalWriter(dir, ids, 0);
  }
  let current: GatewayState = deepFreeze(committed);
  let queue: Promise<unknown> = Promise.resolve();
  let compacting: Promise<void> | undefined;
  let compactionFailedAt = -Infinity;
  const listeners = new Set<CommitListener>();

  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const p = queue.then(task);
    queue = p.catch(() => undefined);
    return p;
  };

  /**
   * Journal G+1 first (new commits go there), then the snapshot of generation G+1, then journal G goes.
   * Resumes an interrupted one (G+1 already started) from its second step.
   */
  async function compact(): Promise<void> {
    let state = current;
    if (journal.generation === snapshotGeneration) {
      await enqueue(async () => {
        // In the queue: no append is in flight, so the snapshot is exactly journal G's last state.
        const next = journalWriter(dir, ids, snapshotGeneration + 1);
        await next.create();
        olderJournalBytes = journal.size;
        journal = next;
        state = current;
      });
    }
    const generation = journal.generation;
    snapshotBytes = await writeSnapshot(dir, state, generation, ++writes);
    snapshotGeneration = generation;
    // Already in the snapshot; a crash before this delete leaves a journal the next start deletes.
    await rm(join(dir, journalFile(generation - 1)), { force: true });
    olderJournalBytes = 0;
  }

  function runCompaction(): Promise<void> {
    compacting ??= compact()
      .catch((err: unknown) => {
        compactionFailedAt = Date.now();
        warn(`the store in ${dir} could not be compacted (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); its journal keeps growing until it can`);
      })
      .finally(() => {
        compacting = undefined;
      });
    return compacting;
  }

  function maybeCompact(): void {
    if (compacting || Date.now() - compactionFailedAt < RETRY_COMPACTION_MS) return;
    const pending = journal.generation !== snapshotGeneration;
    if (pending || journal.size + olderJournalBytes > Math.max(snapshotBytes, compactAfter)) void runCompaction();
  }

  const run = async (fn: (current: GatewayState) => GatewayState | Failure, opts: CommitOptions): Promise<CommitResult> => {
    const before = current;
    const result = fn(before);
    if (isFailure(result)) return { ok: false, failure: result };
    if (result === before) return { ok: true, state: before, changed: false };
    const next: GatewayState = {
      ...result,
      format: 1 as const,
      node: before.node,
      environment: before.environment,
      revision: opts.bumpRevision === false ? before.revision : before.revision + 1,
    };
    if (opts.bumpRevision === false) {
      if (before.changedAt === undefined) delete next.changedAt;
      else next.changedAt = before.changedAt;
    } else next.changedAt = new Date().toISOString();
    const change = diffStates(before, next);
    freezeChanged(next, before, change);
    try {
      await journal.append(change);
    } catch (err) {
      const refused = unwritableStore(err, dir);
      if (refused) return { ok: false, failure: refused };
      throw err;
    }
    current = next;
    for (const listener of listeners) {
      try {
        listener(next, before);
      } catch (err) {
        // The commit is durable whatever a listener does; its failure is the listener's bug to report.
        process.emitWarning(`a store commit listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    maybeCompact();
    return { ok: true, state: next, changed: true };
  };

  maybeCompact();
  return {
    dir,
    state: () => current,
    commit: (fn, opts = {}) => enqueue(() => run(fn, opts)),
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await queue;
      await compacting;
      // The next start then reads one document; the store stays usable.
      if (journal.records > 0 || journal.generation !== snapshotGeneration) await runCompaction();
    },
  };
}

async function truncate(path: string, size: number): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.truncate(size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Freezes what a commit made: `before` is frozen already, and so is every object `next` shares with it,
 * so only the new collection objects and the objects written into them are walked, never 10,000 others.
 */
function freezeChanged(next: GatewayState, before: GatewayState, change: StateChange): void {
  for (const [key, value] of Object.entries(next)) {
    if ((COLLECTIONS as readonly string[]).includes(key)) {
      for (const written of Object.values(change.set?.[key as Collection] ?? {})) deepFreeze(written);
    } else if (value !== (before as unknown as Record<string, unknown>)[key]) deepFreeze(value);
  }
  Object.freeze(next);
}

// Frozen states make a mutation that edits `current` in place fail loudly instead of corrupting it.
// A PersistentMap is immutable by its interface; what it holds is frozen here.
function deepFreeze<T>(value: T): T {
  if (value instanceof PersistentMap) for (const v of value.values()) deepFreeze(v);
  else if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
