import { Option, type Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { ImportOptions } from "./import-run.js";

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerImport(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("import")
    .description("turn a bundle (certform, WSO2 apictl or Apinizer export) into a stack for an environment")
    .argument("<bundle>", "a certform bundle (ZIP or JSON), a WSO2 apictl API/project export (ZIP or directory), or an Apinizer certificate export (ZIP)")
    .requiredOption("--env <name>", "the environment the stack targets")
    .requiredOption("--out <dir>", "where to write the stack (a new or empty directory)")
    .option("--map-environment <from=to>", "take the input's environment FROM as TO (TO is --env); default: the input's environment named like --env", repeat)
    .option("--node <url>", "admin URL of a node of the target environment (repeatable)", repeat)
    .addOption(new Option("--gateway-type <type>", "the target's gateway type").choices(["embedded", "haproxy"]).default("embedded"))
    .option("--name <stack>", "the stack's name (default: the bundle's)")
    .addOption(new Option("--from <format>", "the input's format (default: told from its content)").choices(["certform", "wso2-apictl", "apinizer"]))
    .option("--truststore <file>", "with a WSO2 export: the gateway's truststore (JKS or JCEKS, e.g. client-truststore.jks); each trusted-certificate entry becomes a trusted certificate")
    .option("--passphrase-env <var>", "environment variable holding the --truststore passphrase (never pass it as an argument)")
    .option("--apply", "plan and apply the imported stack right away (asks first)")
    .option("--auto-approve", "with --apply: apply without asking")
    .option("--parallelism <n>", "with --apply: how many nodes are written at once", "10")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (bundle: string, opts: ImportOptions) => {
      const { runImport } = await import("./import-run.js");
      setExit(await runImport(bundle, opts));
    });
}
