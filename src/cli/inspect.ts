import { Option, type Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { InspectOptions } from "./inspect-run.js";

export function registerInspect(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("inspect")
    .description("details of a certificate, chain, key, PKCS#12 file or Java keystore (JKS, JCEKS), or of what a TLS server presents")
    .argument("<target>", "a PEM/DER certificate or chain, a key, a .p12/.pfx file, a .jks/.jceks keystore, - for standard input, or an https:// or ldaps:// URL")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--passphrase-env <var>", "environment variable holding the PKCS#12, keystore or key passphrase (never pass it as an argument)")
    .option("--servername <name>", "SNI to send when inspecting a URL (default: the URL's host)")
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (target: string, opts: InspectOptions) => {
      // Loaded on use: the other commands do not pay for the decoders at start-up.
      const { runInspect } = await import("./inspect-run.js");
      setExit(await runInspect(target, opts));
    });
}

