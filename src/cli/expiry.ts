import { Option, type Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { ExpiryOptions } from "./expiry-run.js";
import { addCommonOptions, stackPaths } from "./options.js";

export function registerExpiry(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command("expiry")
    .description("certificates on the gateways that expire soon, owned or not (exit 2 when any is inside the window)")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .addOption(new Option("--within <duration>", "list only certificates with notAfter - now <= this, e.g. 30d (default: list all; the window is alerts.warnBefore)"))
    .option("--notify <url>", "POST the JSON report (with a Slack-compatible text field) to this webhook");
  addCommonOptions(cmd, ["text", "json", "markdown"]).action(async (paths: string[], opts: ExpiryOptions) => {
    const { runExpiry } = await import("./expiry-run.js");
    setExit(await runExpiry(stackPaths(paths), opts));
  });
}
