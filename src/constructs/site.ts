import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceSite } from "./brand.js";

// Frames in this folder are certform's own constructors; the place a user wrote `new …` is below them. Built
// constructs (dist/) map their frames back to src/ through source maps: both are certform's own.
const CONSTRUCTS_DIR = dirname(fileURLToPath(import.meta.url)) + sep;
const OWN_DIRS = [CONSTRUCTS_DIR, CONSTRUCTS_DIR.replace(`${sep}dist${sep}constructs${sep}`, `${sep}src${sep}constructs${sep}`)];

const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/** The frames of a V8 stack trace that name a file, with file URLs (and tsx's ?namespace= query) as paths. */
export function stackFrames(stack: string | undefined): SourceSite[] {
  const out: SourceSite[] = [];
  for (const line of (stack ?? "").split("\n")) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith("node:") || file.startsWith("internal/")) continue;
    if (file.startsWith("file://")) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    file = file.replace(/\?.*$/, "");
    if (!file.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(file)) continue;
    out.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return out;
}

/**
 * The user's frame in a stack trace: the first outside certform's constructs and outside node_modules,
 * else the first outside certform's constructs.
 */
export function userFrame(stack: string | undefined): SourceSite | undefined {
  const frames = stackFrames(stack).filter((f) => !OWN_DIRS.some((dir) => f.file.startsWith(dir)));
  return frames.find((f) => !f.file.split(sep).includes("node_modules")) ?? frames[0];
}

/** Where the construct being built was created: the `new …` (or `super(…)`) in the user's code. */
export function captureSite(): SourceSite | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  try {
    return userFrame(new Error().stack);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
