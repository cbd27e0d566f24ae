import type { Command } from "commander";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { readStack } from "../stack/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor } from "./options.js";

// `npm start`. Until the embedded gateway and apply exist, it validates the quickstart stack and says so.
export function registerQuickstart(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("quickstart", { hidden: true })
    .description("what npm start runs")
    .option("--serve", "keep everything running until Ctrl-C")
    .action(async () => {
      const c = colorsFor({});
      const { diagnostics, state } = await readStack(["stacks/quickstart.yaml"], { capture: false });
      process.stdout.write(renderDiagnosticsText(diagnostics, c));
      if (!state || diagnostics.some((d) => d.severity === "error")) {
        setExit(EXIT.error);
        return;
      }
      const summary = state.environments.map((e) => `${e.name} (${e.spec.gateway.nodes.length} node${e.spec.gateway.nodes.length === 1 ? "" : "s"})`).join(", ");
      process.stdout.write(
        `${c.green("✓")} stacks/quickstart.yaml is valid: ${summary}.\n` +
          "Not yet: starting embedded gateways, plan and apply arrive with the next issues; then npm start will run them.\n" +
          "Try now:  npx certform validate examples/multi-env   ·   npx certform inspect https://example.com\n",
      );
      setExit(EXIT.ok);
    });
}
