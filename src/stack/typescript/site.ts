import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceSite } from "./brand.js";

// Frames in certform's constructs (src/constructs) and in this folder, which records their sites, are
// certform's own; the place a user wrote `new …` is below them. The constructs are named by path, not
// imported: they import this stage, not the other way round. Built code (dist/) maps its frames back to src/
// through source maps: both are certform's own.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const OWN_DIRS = ["src", "dist"].flatMap((base) => [join(ROOT, base, "constructs") + sep, join(ROOT, base, "stack", "typescript") + sep]);

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
