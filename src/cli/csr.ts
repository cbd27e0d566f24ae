import type { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { CsrOptions } from "./csr-run.js";
import { stackPaths } from "./options.js";

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerCsr(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("csr")
    .description("the pending certificate signing request (PEM) of a certificate declared with generate: { csr }, for the outside CA")
    .argument("<address>", "certificates.NAME (optionally [ENV])")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--env <name>", "the environment (default: the one in the address)", repeat)
    .option("--out <file>", "write to this file instead of stdout")
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (address: string, paths: string[], opts: CsrOptions) => {
      const { runCsr } = await import("./csr-run.js");
      setExit(await runCsr(address, stackPaths(paths), opts));
    });
}
