import type { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import { addCommonOptions, stackPaths, type CommonOptions } from "./options.js";

export function registerList(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command("list")
    .description("every object on every node of the environments, owned or not, with its owner")
    .argument("[paths...]", "stack files or directories (default: ./stacks)");
  addCommonOptions(cmd, ["text", "json", "markdown"]).action(async (paths: string[], opts: CommonOptions) => {
    const { runList } = await import("./list-run.js");
    setExit(await runList(stackPaths(paths), opts));
  });
}
