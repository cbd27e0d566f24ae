import type { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import { stackPaths } from "./options.js";

export interface HaproxyConfigOptions {
  env: string;
  node?: string;
  fragment?: boolean;
}

export function registerHaproxy(program: Command, setExit: (code: ExitCode) => void): void {
  const haproxy = program.command("haproxy").description("HAProxy gateways: the configuration certform manages them through");
  haproxy
    .command("config")
    .description("print the HAProxy configuration for an environment (creates the files it loads in the gateway's dir when missing)")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .requiredOption("--env <name>", "the environment (its gateway must be type: haproxy)")
    .option("--node <url>", "the runtime API socket of the `stats socket` line (default: the environment's first node)")
    .option("--fragment", "only the frontend and backends, to include in an existing configuration")
    .action(async (paths: string[], opts: HaproxyConfigOptions) => {
      const { runHaproxyConfig } = await import("./haproxy-run.js");
      setExit(await runHaproxyConfig(stackPaths(paths), opts));
    });
}
