import type { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import { addCommonOptions, addPolicyOption, stackPaths, type CommonOptions, type PolicyOptions } from "./options.js";

export function registerVerify(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command("verify")
    .description("check over TLS that every node serves what the stack declares (exit 1 when not)")
    .argument("[paths...]", "stack files or directories (default: ./stacks)");
  addCommonOptions(addPolicyOption(cmd), ["text", "json"]).action(async (paths: string[], opts: CommonOptions & PolicyOptions) => {
    const { runVerify } = await import("./verify-run.js");
    setExit(await runVerify(stackPaths(paths), opts));
  });
}
