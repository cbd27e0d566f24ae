import { Command, CommanderError } from "commander";
import { registerValidate } from "./validate.js";
import { registerInspect } from "./inspect.js";
import { registerInit } from "./init.js";
import { registerQuickstart } from "./quickstart.js";
import { registerGateway } from "./gateway.js";
import { registerPlan } from "./plan.js";
import { registerApply } from "./apply.js";
import { registerSynth } from "./synth.js";
import { registerExport } from "./export.js";
import { registerExportCert } from "./export-cert.js";
import { registerCsr } from "./csr.js";
import { registerImport } from "./import.js";
import { registerVerify } from "./verify.js";
import { registerExpiry } from "./expiry.js";
import { registerList } from "./list.js";
import { registerHaproxy } from "./haproxy.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { CERTFORM_VERSION } from "./version.js";
import { jsonText } from "../model/control-chars.js";
import { quietOnClosedOutput } from "./closed-output.js";

/** Builds the command tree. Each command's action resolves to its exit code. */
export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command("certform")
    .description("Certificates and trust as code for API gateways.")
    .version(CERTFORM_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerInit(program, setExit);
  registerValidate(program, setExit);
  registerInspect(program, setExit);
  registerPlan(program, setExit);
  registerApply(program, setExit);
  registerGateway(program, setExit);
  registerQuickstart(program, setExit);
  registerSynth(program, setExit);
  registerExport(program, setExit);
  registerExportCert(program, setExit);
  registerCsr(program, setExit);
  registerImport(program, setExit);
  registerVerify(program, setExit);
  registerExpiry(program, setExit);
  registerList(program, setExit);
  registerHaproxy(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedOutput();
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    // Whatever went wrong, --format json still promises one JSON document on stdout.
    const message = err instanceof Error ? err.message : String(err);
    if (wantsJson(argv)) process.stdout.write(`${jsonText({ error: { code: "internal", message, hint: "this is a bug in certform; please report it with the command that caused it" } })}\n`);
    process.stderr.write(`Error: ${message}\n`);
    return EXIT.error;
  }
  return code;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}
