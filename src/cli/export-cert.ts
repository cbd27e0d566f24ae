import { Option, type Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { ExportCertOptions } from "./export-cert-run.js";
import { stackPaths } from "./options.js";

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerExportCert(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("export-cert")
    .description("one certificate from the gateway as a certificate file")
    .argument("<address>", "certificates.NAME or trustedCertificates.NAME (optionally [ENV])")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--env <name>", "the environment (default: the one in the address)", repeat)
    .addOption(new Option("--format <format>", "pem or der").choices(["pem", "der"]).default("pem"))
    .option("--chain", "the whole chain as served (PEM only), not just the certificate")
    .option("--out <file>", "write to this file instead of stdout")
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (address: string, paths: string[], opts: ExportCertOptions) => {
      const { runExportCert } = await import("./export-cert-run.js");
      setExit(await runExportCert(address, stackPaths(paths), opts));
    });
}
