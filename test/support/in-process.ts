import { main } from "../../src/cli/main.js";
import { quiet } from "./capture.js";

/**
 * `certform ARGS` through the command line's own entry point (commander and all) in this process, with `env`
 * set for the run: its exit code and everything it printed (stdout and stderr, in order). File names in the
 * output are relative to this process's working directory. Runs must not overlap: output is captured by
 * replacing process.stdout.write.
 */
export async function certformInProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await quiet(() => main(["node", "certform", ...args]));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
