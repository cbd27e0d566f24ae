import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { stateFrom, type GatewayState, type StateDocument } from "../state.js";
import { scanFrames } from "./journal-frames.js";
import { applyChange, changeProblem, type StateChange } from "./state-diff.js";
import { checkStateShape } from "./state-shape.js";

// The files of a node's data directory, and how they are read back into one state.
//
// store.json         the snapshot: the whole state, plus "generation" (absent in stores written before
//                    the journal: generation 0). Replaced only atomically (tmp, fsync, rename, dir fsync).
// store.journal.<G>  the journal of generation G: a header, then one record per commit after the
//                    snapshot of generation G, appended and fsynced before the commit is acknowledged.
//
// Compaction to generation G+1 starts journal G+1 (new commits go there), then replaces store.json by a
// snapshot of generation G+1, then deletes journal G. Whatever step a crash interrupts, reading gives the
// last acknowledged state: snapshot G with journals G and G+1, or snapshot G+1 with journal G+1 (journal
// G, if still there, is already in it). Records say what keys hold, not how they changed, so replaying a
// record the snapshot already holds changes nothing.

export const STORE_FILE = "store.json";
export const TMP_PREFIX = `${STORE_FILE}.tmp-`;
const JOURNAL_PREFIX = "store.journal.";
export const journalFile = (generation: number): string => `${JOURNAL_PREFIX}${generation}`;

export interface JournalHeader {
  journal: 1;
  generation: number;
  node: string;
  environment: string;
}

export type JournalRecord = StateChange & { seq: number };

export interface JournalRead {
  generation: number;
  /** Bytes of whole frames: a torn last record starts here. */
  end: number;
  /** Bytes on disk, the torn record included. */
  size: number;
  records: number;
}

export interface LoadedStore {
  /** Not yet frozen. */
  state: GatewayState;
  snapshotGeneration: number;
  snapshotBytes: number;
  /** The journals replayed, oldest first: the snapshot's own and, after an interrupted compaction, the next. */
  journals: JournalRead[];
  /** Journals older than the snapshot: already in it, to be deleted. */
  stale: number[];
}

export function storeError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

const unreadable = (message: string) => storeError("store-unreadable", message);

/**
 * The state a data directory holds, read without writing anything; undefined when it holds no store.
 * Throws store-unreadable for anything a crash cannot leave: such a store is a problem for a person,
 * never a reason to start empty.
 */
export async function loadStore(dir: string): Promise<LoadedStore | undefined> {
  const path = join(dir, STORE_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    // Journals without their snapshot cannot be read, and a fresh store must not later replay them.
    const orphan = (await readdir(dir).catch(() => [] as string[])).find((f) => f.startsWith(JOURNAL_PREFIX));
    if (orphan) throw unreadable(`${join(dir, orphan)} has no ${STORE_FILE} beside it: restore ${STORE_FILE} from a backup, or move the ${JOURNAL_PREFIX}* files away to start empty`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable(`${path} is not valid JSON; restore it from a backup or move it away to start empty`);
  }
  const problem = checkStateShape(parsed);
  if (problem) throw unreadable(`${path} is not a certform gateway store (${problem}); restore it from a backup or move it away to start empty`);
  const { generation = 0, ...state } = parsed as StateDocument & { generation?: unknown };
  if (typeof generation !== "number" || !Number.isInteger(generation) || generation < 0) {
    throw unreadable(`${path} is not a certform gateway store (generation is not a non-negative integer); restore it from a backup or move it away to start empty`);
  }

  const onDisk = (await readdir(dir)).flatMap((f) => {
    const m = /^store\.journal\.(\d+)$/.exec(f);
    return m ? [Number(m[1])] : [];
  });
  const newer = onDisk.filter((g) => g > generation + 1);
  if (newer.length > 0) {
    throw unreadable(`${join(dir, journalFile(Math.max(...newer)))} is newer than ${path} (generation ${generation}): ${STORE_FILE} was replaced by an older copy. Restore the whole directory from one backup, or move the ${JOURNAL_PREFIX}* files away to start from ${STORE_FILE} alone`);
  }
  if (onDisk.includes(generation + 1) && !onDisk.includes(generation)) {
    // Compaction deletes journal G only once the snapshot of G+1 is in place: its records are missing.
    throw unreadable(`${join(dir, journalFile(generation))} is missing, yet ${journalFile(generation + 1)} follows it: files of this store were lost or replaced. Restore the whole directory from one backup`);
  }
  const journals: JournalRead[] = [];
  for (const g of [generation, generation + 1]) {
    if (onDisk.includes(g)) journals.push(await replay(dir, g, state, journals.length === 0 && onDisk.includes(generation + 1)));
  }
  return { state: stateFrom(state), snapshotGeneration: generation, snapshotBytes: Buffer.byteLength(text), journals, stale: onDisk.filter((g) => g < generation) };
}

/** Applies journal `generation` to `state`; `followed`: a newer journal exists, so this one cannot have a torn tail. */
async function replay(dir: string, generation: number, state: StateDocument, followed: boolean): Promise<JournalRead> {
  const path = join(dir, journalFile(generation));
  const buf = await readFile(path);
  const scan = scanFrames(buf);
  const damaged = (what: string) =>
    unreadable(`${path} is damaged (${what}); it holds acknowledged changes, so it is not skipped: restore the directory from a backup, or move ${journalFile(generation)} away to start from ${STORE_FILE} without them`);
  if (!scan.ok) throw damaged(`a record at byte ${scan.offset} does not check out, and records follow it`);
  // A newer journal is made only once this one's last append returned: a torn tail here is damage.
  if (scan.torn && followed) throw damaged(`its last record is incomplete, yet ${journalFile(generation + 1)} follows it`);
  const [header, ...records] = scan.payloads;
  if (header === undefined) {
    // Torn while it was being created: nothing was ever appended to it.
    return { generation, end: 0, size: buf.length, records: 0 };
  }
  const h = header as Partial<JournalHeader>;
  if (h.journal !== 1 || h.generation !== generation) throw damaged("its header is not a certform journal header of this generation");
  if (h.node !== state.node || h.environment !== state.environment) {
    throw damaged(`it belongs to node ${JSON.stringify(h.node)} of environment ${JSON.stringify(h.environment)}, not to the node of ${STORE_FILE}`);
  }
  for (const [i, record] of records.entries()) {
    const problem = changeProblem(record);
    const seq = (record as { seq?: unknown }).seq;
    if (problem || seq !== i + 1) throw damaged(`record ${i + 1}: ${problem ?? `sequence number ${JSON.stringify(seq)}`}`);
    applyChange(state, record as StateChange);
  }
  return { generation, end: scan.end, size: buf.length, records: records.length };
}

/** Writes store.json as tmp → fsync → rename over → fsync the directory: a crash leaves the old or the new, whole. */
export async function writeSnapshot(dir: string, state: GatewayState, generation: number, seq: number): Promise<number> {
  const tmp = join(dir, `${TMP_PREFIX}${process.pid}-${seq}-${randomBytes(4).toString("hex")}`);
  const text = `${JSON.stringify({ ...state, generation })}\n`;
  try {
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(text);
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
  return Buffer.byteLength(text);
}

export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
