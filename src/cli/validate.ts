import { Command } from "commander";
import type { Diagnostic } from "../model/index.js";
import type { ValidateReport } from "../model/validate-report.js";
import { renderDiagnosticsMarkdown } from "../render/diagnostics-markdown.js";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { readStack } from "../stack/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { addCommonOptions, colorsFor, stackPaths, writeJson, type CommonOptions } from "./options.js";

interface ValidateOptions extends CommonOptions {
  capture: boolean;
}

export function registerValidate(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command("validate")
    .description("load and check stacks; no gateway is contacted")
    .argument("[paths...]", "stack files or directories (default: ./stacks)")
    .option("--no-capture", "do not capture url: sources over TLS (offline)");
  addCommonOptions(cmd, ["text", "json", "markdown"]).action(async (paths: string[], opts: ValidateOptions) => {
    const result = await readStack(stackPaths(paths), {
      requireGatewayEnv: false,
      capture: opts.capture,
      ...(opts.env ? { environments: opts.env } : {}),
    });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    const warnings = result.diagnostics.filter((d) => d.severity === "warning");
    if (opts.format === "json") {
      // Every entry carries an address; problems of a whole file or of the stack have none (null).
      const strip = ({ severity: _s, address, ...rest }: Diagnostic) => ({ ...rest, address: address ?? null });
      const report: ValidateReport = { format_version: "1", valid: errors.length === 0, errors: errors.map(strip), warnings: warnings.map(strip) };
      if (result.loaded) report.stack = result.loaded.name;
      if (result.state) report.environments = result.state.environments.map((e) => e.name);
      writeJson(report);
    } else if (opts.format === "markdown") {
      const title = result.loaded ? `certform validate: stack ${result.loaded.name}` : "certform validate";
      process.stdout.write(renderDiagnosticsMarkdown(title, result.diagnostics));
    } else {
      const c = colorsFor(opts);
      process.stdout.write(renderDiagnosticsText(result.diagnostics, c));
      process.stdout.write(summary(result, errors.length, warnings.length, c.green, c.red));
    }
    setExit(errors.length === 0 ? EXIT.ok : EXIT.error);
  });
}

function summary(
  result: Awaited<ReturnType<typeof readStack>>,
  errors: number,
  warnings: number,
  ok: (s: string) => string,
  bad: (s: string) => string,
): string {
  const w = `${warnings} warning${warnings === 1 ? "" : "s"}`;
  if (errors > 0) return bad(`Invalid: ${errors} error${errors === 1 ? "" : "s"}, ${w}.\n`);
  const state = result.state!;
  const resources = state.environments.reduce((n, e) => n + e.certificates.length + e.trustedCertificates.length + e.endpoints.length + e.trustAssignments.length + e.jwks.length, 0);
  return ok(`Stack ${state.stack} is valid: ${state.environments.length} environment${state.environments.length === 1 ? "" : "s"}, ${resources} resource instances, ${w}.\n`);
}
