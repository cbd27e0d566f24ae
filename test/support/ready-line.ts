import type { ChildProcess } from "node:child_process";

/**
 * Waits for a started process to print a line matching `ready` (stdout or stderr), keeping every line in
 * `output` for failure messages; rejects when it exits first or stays silent for 20 s.
 */
export function readyLine(child: ChildProcess, ready: RegExp, output: string[], what: string, prefix = ""): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output.join("\n")}`)), 20_000);
    const onData = (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) {
        output.push(`${prefix}${line}`);
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output.join("\n")}`));
    });
  });
}
