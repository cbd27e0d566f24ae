import { existsSync, readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { planFileText } from "../plan/plan-file-text.js";
import type { ApplyOptions } from "./apply-run.js";
import type { ExitCode } from "./exit-codes.js";
import { addCommonOptions, addPolicyOption, stackPaths } from "./options.js";

/** A single file argument that holds a saved plan (told by its content, whatever its name); anything else is stack paths. */
function isPlanFile(paths: string[]): boolean {
  const file = paths[0];
  if (paths.length !== 1 || !file || !existsSync(file) || !statSync(file).isFile() || /\.(ya?ml|ts)$/i.test(file)) return false;
  try {
    return (JSON.parse(planFileText(readFileSync(file))) as { format_version?: unknown }).format_version !== undefined;
  } catch {
    return false;
  }
}

export function registerApply(program: Command, setExit: (code: ExitCode) => void): void {
  const apply = program
    .command("apply")
    .description("make the gateways match, then verify over TLS")
    .argument("[planfile-or-paths...]", "a plan file saved by plan --out, or stack files or directories (default: ./stacks)")
    .option("--auto-approve", "apply without asking")
    .option("--parallelism <n>", "how many nodes are written at once", "10")
    .option("--no-verify", "skip the TLS verification after each environment")
    .option("--no-prune", "leave owned objects that are no longer declared")
    .option("--adopt", "take over objects of the same name that no stack owns");
  addCommonOptions(addPolicyOption(apply)).action(async (paths: string[], opts: ApplyOptions) => {
    const { runApply } = await import("./apply-run.js");
    setExit(await runApply(isPlanFile(paths) ? { planFile: paths[0]! } : { paths: stackPaths(paths) }, opts, "apply"));
  });

  const destroy = program
    .command("destroy")
    .description("delete everything the stack owns, in reverse dependency order")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--auto-approve", "destroy without asking")
    .option("--parallelism <n>", "how many nodes are written at once", "10");
  addCommonOptions(destroy).action(async (paths: string[], opts: ApplyOptions) => {
    const { runApply } = await import("./apply-run.js");
    setExit(await runApply({ paths: stackPaths(paths) }, { ...opts, verify: false, prune: true }, "destroy"));
  });

  const renew = program
    .command("renew")
    .description("renew a generated certificate now: a plan and apply of just that replacement")
    .argument("<address>", "the generated certificate: certificates.NAME, or certificates.NAME[ENVIRONMENT] for one environment")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--auto-approve", "renew without asking")
    .option("--parallelism <n>", "how many nodes are written at once", "10")
    .option("--no-verify", "skip the TLS verification after each environment");
  addCommonOptions(addPolicyOption(renew)).action(async (address: string, paths: string[], opts: ApplyOptions) => {
    const { runApply } = await import("./apply-run.js");
    setExit(await runApply({ paths: stackPaths(paths) }, { ...opts, prune: true, renew: address }, "renew"));
  });

  const unlock = program
    .command("force-unlock")
    .description("release the lock of every node of an environment, left by a killed apply")
    .argument("<environment>", "the environment")
    .argument("[paths...]", "stack files or directories (default: ./stacks)");
  addCommonOptions(unlock).action(async (environment: string, paths: string[]) => {
    const { runForceUnlock } = await import("./force-unlock.js");
    setExit(await runForceUnlock(environment, stackPaths(paths)));
  });
}
