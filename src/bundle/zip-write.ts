import { ZipArchive } from "archiver";

/** Every entry gets this time, so that the same files give the same ZIP bytes (DOS time, UTC). */
export const FIXED_ENTRY_TIME = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

/**
 * A ZIP of the given files, deterministic: entries in the order given, a fixed time and mode on each,
 * no comment, deflate at a fixed level. The same files always give the same bytes.
 */
export function writeZip(files: ReadonlyArray<readonly [string, Buffer]>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = new ZipArchive({ zlib: { level: 9 }, forceLocalTime: false });
    const chunks: Buffer[] = [];
    archive.on("data", (c: Buffer) => chunks.push(c));
    archive.on("warning", reject);
    archive.on("error", reject);
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    for (const [name, data] of files) archive.append(data, { name, date: FIXED_ENTRY_TIME, mode: 0o644 });
    void archive.finalize();
  });
}
