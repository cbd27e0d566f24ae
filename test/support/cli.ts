import { spawn } from "node:child_process";
import { join } from "node:path";

export const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "certform.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command line, as a user would, without a terminal (`bin`: an installed certform's instead of this one's). */
export function certform(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; bin?: string } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [opts.bin ?? BIN, ...args], { cwd: opts.cwd ?? REPO, env: opts.env, input: opts.input });
}

/** Runs any command (npm, npx, node) to its end without a terminal, with NO_COLOR set. */
export function runCommand(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv | undefined; input?: string | Buffer | undefined }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}
