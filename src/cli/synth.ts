import { Option, type Command } from "commander";
import type { Diagnostic } from "../model/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson } from "./options.js";

interface SynthOptions {
  format: "text" | "json";
  color: boolean;
}

export function registerSynth(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("synth")
    .description("a TypeScript stack to cdktf.out/stacks/<name>/cdk.tf.json")
    .argument("[file]", "a .ts stack file, a directory with a main.ts, or a directory with a cdktf.json (default: .)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (file: string | undefined, opts: SynthOptions) => {
      // Loaded on use: tsx and cdktf are only needed here.
      const [{ synthTypeScriptStack }, { renderSynthText }] = await Promise.all([import("../stack/typescript/synth.js"), import("../render/synth-text.js")]);
      const result = await synthTypeScriptStack(file ?? ".");
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      if (opts.format === "json") {
        const entry = ({ severity: _s, address, ...rest }: Diagnostic) => ({ ...rest, address: address ?? null });
        writeJson({ stacks: result.stacks, errors: errors.map(entry), warnings: result.diagnostics.filter((d) => d.severity === "warning").map(entry) });
      } else {
        process.stdout.write(renderSynthText(result, colorsFor(opts)));
      }
      setExit(errors.length === 0 ? EXIT.ok : EXIT.error);
    });
}
