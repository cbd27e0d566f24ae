import { hasChanges } from "../model/plan.js";
import { planPaths, savePlan } from "../plan/index.js";
import { planFailureJson, renderPlanFailureMarkdown, renderPlanFailureText } from "../render/plan-failure.js";
import { renderPlanJson } from "../render/plan-json.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { renderPlanSavedText, renderPlanText } from "../render/plan-text.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson, type CommonOptions, type PolicyOptions } from "./options.js";
import { CERTFORM_VERSION } from "./version.js";

export interface PlanOptions extends CommonOptions, PolicyOptions {
  out?: string;
  detailedExitcode?: boolean;
  prune: boolean;
  adopt?: boolean;
}

export async function runPlan(paths: string[], opts: PlanOptions): Promise<ExitCode> {
  const result = await planPaths(paths, { ...opts, version: CERTFORM_VERSION });
  if ("failed" in result) {
    if (opts.format === "json") writeJson(planFailureJson(result.failed));
    else if (opts.format === "markdown") process.stdout.write(renderPlanFailureMarkdown(result.failed));
    else process.stdout.write(renderPlanFailureText(result.failed, colorsFor(opts)));
    return EXIT.error;
  }
  const { plan } = result;
  if (opts.out) savePlan(opts.out, renderPlanJson(plan));
  if (opts.format === "json") process.stdout.write(renderPlanJson(plan));
  else if (opts.format === "markdown") process.stdout.write(renderPlanMarkdown(plan));
  else process.stdout.write(renderPlanText(plan, colorsFor(opts)) + (opts.out ? renderPlanSavedText(opts.out) : ""));
  return opts.detailedExitcode && hasChanges(plan) ? EXIT.attention : EXIT.ok;
}
