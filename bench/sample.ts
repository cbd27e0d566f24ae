// One timed run of a command: wall time (measured here, around the spawn), peak RSS of the command's own
// process (GNU time's %M, the maximum resident set size in KiB), exit code, how much it printed, and the
// last lines of its output for the record. A run that exceeds its timeout is killed and recorded as such.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { killGroup, spawnTracked, tempDir } from "./processes.js";

export const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME);
let timeDir: string | undefined;
let timeSeq = 0;

export interface Sample {
  ok: boolean;
  /** Wall time in milliseconds. */
  ms: number;
  /** Peak resident set size of the command in bytes (null without /usr/bin/time). */
  peakRssBytes: number | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdoutBytes: number;
  /** The last lines of stderr (and of stdout) when the run failed or when asked. */
  stderrTail?: string;
  stdoutTail?: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
  /** Keep the output tails even on success (to read what the command printed). */
  keepTails?: boolean;
  /** Keep the whole stdout (small outputs only: JSON of another bench script). */
  keepStdout?: boolean;
}

const TAIL = 4000;

/** The direct children of a process (Linux /proc), e.g. the command GNU time runs. */
function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
const tailOf = (text: string) => text.slice(-TAIL).split("\n").slice(-25).join("\n").trim();

/** Runs `command args` once, timed. Never throws for a failure of the command itself. */
export async function sample(command: string, args: string[], options: RunOptions): Promise<Sample & { stdout?: string }> {
  timeDir ??= tempDir("time");
  const timeFile = join(timeDir, `t${timeSeq++}`);
  const [cmd, argv] = hasTime ? [TIME, ["-f", "%e %M", "-o", timeFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const child = spawnTracked(cmd, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdoutBytes = 0;
  let stdoutTail = "";
  const stdoutAll: Buffer[] = [];
  let stderrTail = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (options.keepStdout) stdoutAll.push(chunk);
    stdoutTail = (stdoutTail + chunk.toString("utf8")).slice(-TAIL);
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-TAIL);
  });
  let timedOut = false;
  let groupTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    // Kill the measured command itself first, so that GNU time still reports its peak memory; then
    // whatever is left of the group.
    const inner = hasTime ? childPids(child.pid) : [];
    for (const pid of inner) signalPid(pid, "SIGKILL");
    if (inner.length === 0) killGroup(child);
    else groupTimer = setTimeout(() => killGroup(child), 3000);
  }, options.timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.once("error", (err) => {
      stderrTail += `\n${err.message}`;
      resolve([null, null]);
    });
    child.once("close", (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timer);
  clearTimeout(groupTimer);
  // After a timeout, the command's own children (orphaned by the kill) go too.
  if (timedOut && child.pid !== undefined) signalPid(-child.pid, "SIGKILL");
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  let peakRssBytes: number | null = null;
  let code = exitCode;
  if (hasTime && existsSync(timeFile)) {
    const text = readFileSync(timeFile, "utf8");
    rmSync(timeFile, { force: true });
    // GNU time prints "Command exited with non-zero status N" (or "terminated by signal") before the format line.
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(text);
    if (m) peakRssBytes = Number(m[2]) * 1024;
  }
  if (timedOut) code = null;
  const ok = !timedOut && code !== null && (options.okCodes ?? [0]).includes(code);
  const result: Sample & { stdout?: string } = { ok, ms: Math.round(ms), peakRssBytes, exitCode: code, signal: timedOut ? "SIGKILL (timeout)" : signal, timedOut, stdoutBytes };
  if (!ok || options.keepTails) {
    result.stderrTail = tailOf(stderrTail);
    result.stdoutTail = tailOf(stdoutTail);
  }
  if (options.keepStdout) result.stdout = Buffer.concat(stdoutAll).toString("utf8");
  return result;
}

export const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** What a figure's samples come to: the medians of the successful runs, and how many failed. */
export interface Figure {
  samples: Sample[];
  /** Median wall time (ms) of the successful samples; null when none succeeded. */
  ms: number | null;
  peakRssBytes: number | null;
  ok: boolean;
  failures: number;
  notes: string[];
  /** Set when the command was stopped on purpose at a cap: the figure is at least this many ms. */
  atLeastMs?: number;
}

export function figure(samples: Sample[], notes: string[] = []): Figure {
  const good = samples.filter((s) => s.ok);
  // A failed run's memory counts too (a run that fails at 1.3 GB says something).
  const rss = samples.map((s) => s.peakRssBytes).filter((v): v is number => v !== null);
  return {
    samples,
    ms: median(good.map((s) => s.ms)),
    // The peak over the runs: the target is "under 400 MB for every command", so the worst run counts.
    peakRssBytes: rss.length ? Math.max(...rss) : null,
    ok: good.length > 0 && good.length === samples.length,
    failures: samples.length - good.length,
    notes,
  };
}

/** The line of a failed run's output that best says why: the last error line, else the last line. */
export function failureLine(s: Pick<Sample, "stderrTail" | "stdoutTail">): string {
  const lines = `${s.stderrTail ?? ""}\n${s.stdoutTail ?? ""}`.split("\n").map((l) => l.trim()).filter(Boolean);
  const error = [...lines].reverse().find((l) => /(error|Error|ERR_|failed|refused|EPIPE|ECONN|TIMEDOUT)/.test(l) && !/^at /.test(l));
  return (error ?? lines[lines.length - 1] ?? "").slice(0, 300);
}
