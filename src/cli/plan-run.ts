import { planPaths, savePlan, type PlanFailure } from "../plan/index.js";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { renderPlanJson } from "../render/plan-json.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { renderPlanText } from "../render/plan-text.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson, type CommonOptions } from "./options.js";
import { CERTFORM_VERSION } from "./version.js";

export interface PlanOptions extends CommonOptions {
  out?: string;
  detailedExitcode?: boolean;
  prune: boolean;
  adopt?: boolean;
}

export async function runPlan(paths: string[], opts: PlanOptions): Promise<ExitCode> {
  const result = await planPaths(paths, { ...opts, version: CERTFORM_VERSION });
  if ("failed" in result) {
    report(result.failed, opts);
    return EXIT.error;
  }
  const { plan } = result;
  if (opts.out) savePlan(opts.out, renderPlanJson(plan));
  if (opts.format === "json") process.stdout.write(renderPlanJson(plan));
  else if (opts.format === "markdown") process.stdout.write(renderPlanMarkdown(plan));
  else {
    process.stdout.write(renderPlanText(plan, colorsFor(opts)));
    if (opts.out) process.stdout.write(`\nSaved the plan to ${opts.out}. Apply exactly this plan with: certform apply ${opts.out}\n`);
  }
  const changes = plan.summary.create + plan.summary.update + plan.summary.replace + plan.summary.delete;
  return opts.detailedExitcode && changes > 0 ? EXIT.attention : EXIT.ok;
}

function report(failed: PlanFailure, opts: CommonOptions): void {
  if (opts.format === "json") {
    writeJson({ error: { code: failed.problems[0]?.code ?? "invalid-stack", message: "no plan: see errors" }, errors: [...failed.diagnostics, ...failed.problems] });
    return;
  }
  const c = colorsFor(opts);
  process.stdout.write(renderDiagnosticsText(failed.diagnostics, c));
  for (const p of failed.problems) process.stdout.write(`${c.red(`error[${p.code}]`)} ${p.address}: ${p.message}\n  ${c.dim("hint:")} ${p.hint}\n`);
  process.stdout.write(c.red("No plan: fix the errors above. Nothing was changed on any gateway.\n"));
}
