import type { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import { addCommonOptions, addPolicyOption, stackPaths } from "./options.js";
import type { PlanOptions } from "./plan-run.js";

export function registerPlan(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command("plan")
    .description("diff the stacks against the live gateways")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--out <file>", "save the plan, to apply exactly this later (no key is written)")
    .option("--detailed-exitcode", "exit 0 without changes, 2 with changes, 1 on error")
    .option("--no-prune", "leave owned objects that are no longer declared")
    .option("--adopt", "take over objects of the same name that no stack owns (like terraform import)");
  addCommonOptions(addPolicyOption(cmd), ["text", "json", "markdown"]).action(async (paths: string[], opts: PlanOptions) => {
    // Loaded on use: the other commands do not pay for providers and renderers at start-up.
    const { runPlan } = await import("./plan-run.js");
    setExit(await runPlan(stackPaths(paths), opts));
  });
}
