import { crc32 } from "node:zlib";
import { Inflate } from "fflate";
import { safeEntryName, showEntry, sizeGuard, UnsafeBundleError, type ReadLimits } from "./limits.js";

// A ZIP reader that looks before it unpacks: the central directory is read and every entry checked (name,
// type, declared size) before one byte is inflated; inflating then stops at the limits whatever the headers
// claim, and every entry's CRC-32 is checked. Nothing is written anywhere: entries come back in memory.

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  directory: boolean;
}

export function isZip(data: Buffer): boolean {
  return (data.length >= 4 && data.readUInt32LE(0) === LOCAL) || (data.length >= 22 && data.readUInt32LE(0) === EOCD);
}

/** Every file entry of a ZIP, by normalised name (directories left out). Throws UnsafeBundleError. */
export function readZip(data: Buffer, limits: ReadLimits): Map<string, Buffer> {
  const entries = centralDirectory(data, limits);
  const guard = sizeGuard(limits);
  for (const e of entries) if (!e.directory) guard(e.name, e.size);
  const out = new Map<string, Buffer>();
  const inflateGuard = sizeGuard(limits);
  for (const e of entries) {
    if (e.directory) continue;
    const body = localData(data, e);
    const bytes = e.method === 0 ? body : inflate(body, e, (n) => inflateGuard(e.name, n));
    if (bytes.length !== e.size) throw corrupt(e.name, `unpacks to ${bytes.length} bytes, its header says ${e.size}`);
    if (crc32(bytes) >>> 0 !== e.crc) throw corrupt(e.name, "its CRC-32 does not match");
    out.set(e.name, bytes);
  }
  return out;
}

function centralDirectory(data: Buffer, limits: ReadLimits): CentralEntry[] {
  const eocd = findEocd(data);
  const count = data.readUInt16LE(eocd + 10);
  const cdSize = data.readUInt32LE(eocd + 12);
  const cdOffset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new UnsafeBundleError("ZIP64 archives are not supported (bundles are small); nothing was written", "unsupported-zip");
  if (count > limits.maxEntries) throw new UnsafeBundleError(`more than ${limits.maxEntries} entries; nothing was written`, "oversize");
  if (cdOffset + cdSize > eocd) throw corrupt(undefined, "its central directory lies outside the file");
  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== CENTRAL) throw corrupt(undefined, "its central directory is damaged");
    const madeBy = data.readUInt16LE(at + 4);
    const flags = data.readUInt16LE(at + 8);
    const method = data.readUInt16LE(at + 10);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    const external = data.readUInt32LE(at + 38);
    const raw = data.subarray(at + 46, at + 46 + nameLength).toString((flags & 0x800) !== 0 ? "utf8" : "latin1");
    const name = safeEntryName(raw);
    const mode = (external >>> 16) & S_IFMT;
    const unix = madeBy >> 8 === 3;
    if (unix && mode === S_IFLNK) throw new UnsafeBundleError(`entry ${showEntry(raw)} is a symbolic link; links are refused; nothing was written`, "link", raw);
    if (unix && mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) throw new UnsafeBundleError(`entry ${showEntry(raw)} is not a regular file; nothing was written`, "link", raw);
    if ((flags & 1) !== 0) throw new UnsafeBundleError(`entry ${showEntry(raw)} is encrypted; ZIP encryption is not supported`, "unsupported-zip", raw);
    if (method !== 0 && method !== 8) throw new UnsafeBundleError(`entry ${showEntry(raw)} uses compression method ${method}; only stored and deflate are supported`, "unsupported-zip", raw);
    const directory = raw.endsWith("/") || (!unix && (external & 0x10) !== 0) || mode === S_IFDIR;
    const key = name.replace(/\/$/, "").toLowerCase();
    if (!directory && seen.has(key)) throw new UnsafeBundleError(`entry ${showEntry(raw)} appears twice; nothing was written`, "unsafe-path", raw);
    seen.add(key);
    entries.push({ name: name.replace(/\/$/, ""), method, crc: data.readUInt32LE(at + 16), compressedSize: data.readUInt32LE(at + 20), size: data.readUInt32LE(at + 24), localOffset: data.readUInt32LE(at + 42), directory });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEocd(data: Buffer): number {
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) if (data.readUInt32LE(i) === EOCD) return i;
  throw corrupt(undefined, "it has no end of central directory (not a ZIP, or truncated)");
}

function localData(data: Buffer, e: CentralEntry): Buffer {
  const at = e.localOffset;
  if (at + 30 > data.length || data.readUInt32LE(at) !== LOCAL) throw corrupt(e.name, "its local header is missing");
  const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
  if (start + e.compressedSize > data.length) throw corrupt(e.name, "its data runs past the end of the file");
  return data.subarray(start, start + e.compressedSize);
}

/** Inflates in slices, so that a bomb is stopped at the limit instead of filling memory first. */
function inflate(body: Buffer, e: CentralEntry, check: (bytes: number) => void): Buffer {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    check(total);
    if (total > e.size) throw corrupt(e.name, `unpacks to more than the ${e.size} bytes its header says`);
    chunks.push(chunk);
  });
  try {
    const step = 16 * 1024;
    for (let i = 0; i < body.length; i += step) inflater.push(body.subarray(i, Math.min(body.length, i + step)), i + step >= body.length);
    if (body.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof UnsafeBundleError) throw err;
    throw corrupt(e.name, "its compressed data is damaged");
  }
  return Buffer.concat(chunks);
}

function corrupt(entry: string | undefined, why: string): UnsafeBundleError {
  return new UnsafeBundleError(`${entry === undefined ? "the ZIP" : `entry ${showEntry(entry)}`}: ${why}; nothing was written`, "corrupt-zip", entry);
}
