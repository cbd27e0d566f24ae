import { renderVerifyStackErrorsText, renderVerifyText } from "../render/verify-text.js";
import { readStack } from "../stack/index.js";
import { verifyStack } from "../verify/verify-stack.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson, type CommonOptions, type PolicyOptions } from "./options.js";

export async function runVerify(paths: string[], opts: CommonOptions & PolicyOptions): Promise<ExitCode> {
  // No capture: verification compares what nodes serve, and contacts nothing but the gateways.
  const stack = await readStack(paths, { requireGatewayEnv: true, capture: false, ...(opts.env ? { environments: opts.env } : {}), ...(opts.policy ? { policyFiles: opts.policy } : {}) });
  const errors = stack.diagnostics.filter((d) => d.severity === "error");
  if (!stack.state || errors.length > 0) {
    if (opts.format === "json") writeJson({ error: { code: errors[0]?.code ?? "invalid-stack", message: "nothing verified: the stack has errors" }, errors });
    else process.stdout.write(renderVerifyStackErrorsText(errors, colorsFor(opts)));
    return EXIT.error;
  }
  const report = await verifyStack(stack.state);
  if (opts.format === "json") writeJson(report);
  else process.stdout.write(renderVerifyText(report, colorsFor(opts)));
  return report.ok ? EXIT.ok : EXIT.error;
}
