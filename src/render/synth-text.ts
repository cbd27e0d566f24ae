import type { Diagnostic } from "../model/index.js";
import { renderDiagnosticsText } from "./diagnostics-text.js";
import type { Palette } from "./palette.js";

/** `certform synth` for a terminal: every diagnostic, each stack written, and whether anything was not. */
export function renderSynthText(result: { stacks: readonly { name: string; file: string; resources: number }[]; diagnostics: readonly Diagnostic[] }, c: Palette): string {
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  return (
    renderDiagnosticsText(result.diagnostics, c) +
    result.stacks.map((s) => c.green(`Synthesized stack ${s.name}: ${s.file} (${s.resources} null_resource${s.resources === 1 ? "" : "s"})\n`)).join("") +
    (errors > 0 ? c.red(`Not synthesized: ${errors} error${errors === 1 ? "" : "s"}.\n`) : "")
  );
}
