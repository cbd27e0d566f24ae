import { open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { encodeFrame } from "./journal-frames.js";
import { journalFile, storeError, syncDir, type JournalHeader } from "./store-files.js";
import type { StateChange } from "./state-diff.js";

/** The journal commits are appended to. */
export interface JournalWriter {
  readonly generation: number;
  /** Bytes of whole records, the header included; 0 while the file does not exist yet. */
  readonly size: number;
  readonly records: number;
  /** Appends one record and fsyncs it; when this throws, the file is as it was before. */
  append(change: StateChange): Promise<void>;
  /** Makes the file (header, fsync, directory fsync) unless it exists. */
  create(): Promise<void>;
}

/**
 * A writer for journal `generation`; `existing` is what is already in it (its whole records end at
 * `size`), or undefined when the file does not exist. Records are written at an explicit offset: the
 * file never grows by more than whole records, even after a failed append whose remains could not be
 * cut off.
 */
export function journalWriter(dir: string, ids: { node: string; environment: string }, generation: number, existing?: { size: number; records: number }): JournalWriter {
  const path = join(dir, journalFile(generation));
  let size = existing?.size ?? 0;
  let records = existing?.records ?? 0;
  let broken: Error | undefined;

  async function write(handle: FileHandle, frame: Buffer, at: number): Promise<void> {
    for (let done = 0; done < frame.length; ) {
      const { bytesWritten } = await handle.write(frame, done, frame.length - done, at + done);
      done += bytesWritten;
    }
  }

  async function create(): Promise<void> {
    if (size > 0) return;
    const header: JournalHeader = { journal: 1, generation, ...ids };
    const frame = encodeFrame(header);
    // "w": a file of this generation can only be one whose creation a crash interrupted.
    const handle = await open(path, "w", 0o600);
    try {
      await write(handle, frame, 0);
      await handle.sync();
      await handle.close();
      // The file's name must be durable before a record in it is acknowledged.
      await syncDir(dir);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(path, { force: true }).catch(() => undefined);
      throw err;
    }
    size = frame.length;
  }

  return {
    generation,
    get size() {
      return size;
    },
    get records() {
      return records;
    },
    create,
    async append(change) {
      if (broken) throw broken;
      await create();
      const frame = encodeFrame({ seq: records + 1, ...change });
      // Opened per append: a store that is dropped without close() (a test, a crash) leaves no descriptor.
      const fh = await open(path, "r+");
      try {
        await write(fh, frame, size);
        await fh.datasync();
      } catch (err) {
        // Not acknowledged, so it must not be replayed: cut it off, or write nothing more here.
        try {
          await fh.truncate(size);
          await fh.datasync();
        } catch {
          broken = storeError("store-broken", `${path}: a failed write could not be undone (${(err as NodeJS.ErrnoException).code ?? "error"}); no more changes are written: restart the node once the disk is writable`);
        }
        throw err;
      } finally {
        await fh.close();
      }
      size += frame.length;
      records += 1;
    },
  };
}
