// What import accepts before it looks at the content: every entry of a ZIP or a directory is checked here,
// and one bad entry refuses the whole input before anything is written.

export interface ReadLimits {
  /** Bytes of the input file itself (ZIP or JSON). */
  maxInputBytes: number;
  /** Unpacked bytes of one entry. */
  maxEntryBytes: number;
  /** Unpacked bytes of all entries together. */
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxInputBytes: 64 * 1024 * 1024,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxEntries: 10_000,
};

/** An input refused before anything was written: `entry` names the offending file. */
export class UnsafeBundleError extends Error {
  constructor(
    message: string,
    readonly code: "unsafe-path" | "link" | "oversize" | "unsupported-zip" | "corrupt-zip" | "checksum-mismatch" | "not-a-bundle",
    readonly entry?: string,
  ) {
    super(message);
    this.name = "UnsafeBundleError";
  }
}

/** An entry name as it may appear in a message: printable, cut short. */
export function showEntry(name: string): string {
  const cut = name.length > 120 ? `${name.slice(0, 120)}…` : name;
  return JSON.stringify(cut).replace(/\\u00([0-9a-f]{2})/g, (_, h: string) => `\\x${h.toUpperCase()}`);
}

/**
 * Checks one entry name and returns it normalised (no leading ./). Refused: empty names, control
 * characters, backslashes, absolute paths (/x, C:x, //host), and any `..` segment.
 */
export function safeEntryName(name: string): string {
  const fail = (why: string): never => {
    throw new UnsafeBundleError(`entry ${showEntry(name)}: ${why}; nothing was written`, "unsafe-path", name);
  };
  if (name === "") fail("an empty name");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) fail("control characters in its name");
  if (name.includes("\\")) fail("a backslash in its name (a Windows path that could leave the output directory)");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) fail("an absolute path");
  const segments = name.split("/");
  if (segments.includes("..")) fail("a `..` segment: the path leaves the bundle (zip slip)");
  return segments.filter((s, i) => s !== "." && !(s === "" && i < segments.length - 1)).join("/");
}

/** Keeps a running total of unpacked bytes; throws once an entry or the whole exceeds the limits. */
export function sizeGuard(limits: ReadLimits): (entry: string, entryBytes: number) => void {
  let total = 0;
  let entries = 0;
  const counted = new Map<string, number>();
  return (entry, entryBytes) => {
    if (!counted.has(entry) && ++entries > limits.maxEntries) throw new UnsafeBundleError(`more than ${limits.maxEntries} entries; nothing was written`, "oversize", entry);
    if (entryBytes > limits.maxEntryBytes) throw new UnsafeBundleError(`entry ${showEntry(entry)} unpacks to more than ${mib(limits.maxEntryBytes)}; nothing was written`, "oversize", entry);
    total += entryBytes - (counted.get(entry) ?? 0);
    counted.set(entry, entryBytes);
    if (total > limits.maxTotalBytes) throw new UnsafeBundleError(`the input unpacks to more than ${mib(limits.maxTotalBytes)} (at entry ${showEntry(entry)}); nothing was written`, "oversize", entry);
  };
}

const mib = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${n} bytes`);
