import { Option, type Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { ExportOptions } from "./export-run.js";
import { stackPaths } from "./options.js";

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerExport(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("export")
    .description("bundle what an environment's gateway holds (a ZIP, or one JSON document)")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .requiredOption("--env <name>", "the environment to export", repeat)
    .option("--out <file>", "where to write the bundle (required for a ZIP; a JSON bundle goes to stdout without it)")
    .option("--all", "every object on the gateway, not only those the stack owns")
    .option("--include-private-keys", "put the stack's keys in, encrypted with CERTFORM_BUNDLE_PASSPHRASE (PKCS#8, AES-256)")
    .addOption(new Option("--format <format>", "zip, or json: one JSON document with the files inline").choices(["zip", "json"]).default("zip"))
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (paths: string[], opts: ExportOptions) => {
      const { runExport } = await import("./export-run.js");
      setExit(await runExport(stackPaths(paths), opts));
    });
}
