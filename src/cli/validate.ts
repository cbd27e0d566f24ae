import { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import { addCommonOptions, addPolicyOption } from "./options.js";
import type { ValidateOptions } from "./validate-run.js";

export function registerValidate(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command("validate")
    .description("load and check stacks; no gateway is contacted")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--no-capture", "do not capture url: sources over TLS (offline)");
  addCommonOptions(addPolicyOption(cmd), ["text", "json", "markdown"]).action(async (paths: string[], opts: ValidateOptions) => {
    // Loaded on use: the other commands do not pay for the stack loader at start-up.
    const { runValidate } = await import("./validate-run.js");
    setExit(await runValidate(paths, opts));
  });
}
