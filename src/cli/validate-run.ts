import type { Diagnostic } from "../model/index.js";
import type { ValidateReport } from "../model/validate-report.js";
import { renderValidateMarkdown } from "../render/validate-markdown.js";
import { renderValidateText } from "../render/validate-text.js";
import { readStack } from "../stack/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, stackPaths, writeJson, type CommonOptions, type PolicyOptions } from "./options.js";

export interface ValidateOptions extends CommonOptions, PolicyOptions {
  capture: boolean;
}

export async function runValidate(paths: string[], opts: ValidateOptions): Promise<ExitCode> {
    const result = await readStack(stackPaths(paths), {
      requireGatewayEnv: false,
      capture: opts.capture,
      ...(opts.env ? { environments: opts.env } : {}),
      ...(opts.policy ? { policyFiles: opts.policy } : {}),
    });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    const warnings = result.diagnostics.filter((d) => d.severity === "warning");
    if (opts.format === "json") {
      // Every entry carries an address; problems of a whole file or of the stack have none (null).
      const strip = ({ severity: _s, address, ...rest }: Diagnostic) => ({ ...rest, address: address ?? null });
      const report: ValidateReport = { format_version: "1", valid: errors.length === 0, errors: errors.map(strip), warnings: warnings.map(strip) };
      if (result.loaded) report.stack = result.loaded.name;
      if (result.state) report.environments = result.state.environments.map((e) => e.name);
      if (result.state?.policyExceptions) report.policy_exceptions = result.state.policyExceptions;
      writeJson(report);
    } else if (opts.format === "markdown") {
      process.stdout.write(renderValidateMarkdown(result.loaded?.name, result.diagnostics, result.state?.policyExceptions));
    } else {
      process.stdout.write(renderValidateText(result.diagnostics, result.state, colorsFor(opts)));
    }
    return errors.length === 0 ? EXIT.ok : EXIT.error;
}
