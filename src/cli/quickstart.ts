import type { Command } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor } from "./options.js";

interface QuickstartOptions {
  serve?: boolean;
  color: boolean;
}

// `npm start` (src/quickstart): the quickstart applies its stack as `certform apply --auto-approve` would.
export function registerQuickstart(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("quickstart", { hidden: true })
    .description("what npm start runs: apply stacks/quickstart.yaml to embedded gateways it starts")
    .option("--serve", "keep everything running until Ctrl-C")
    .option("--no-color", "plain output")
    .action(async (opts: QuickstartOptions) => {
      const [{ runQuickstart }, { runApply }] = await Promise.all([import("../quickstart/run.js"), import("./apply-run.js")]);
      const apply = async (stackFile: string) =>
        (await runApply({ paths: [stackFile] }, { autoApprove: true, parallelism: "10", verify: true, prune: true, format: "text", color: opts.color }, "apply")) === EXIT.ok;
      const ok = await runQuickstart({ serve: opts.serve ?? false, c: colorsFor(opts), apply });
      setExit(ok ? EXIT.ok : EXIT.error);
    });
}
