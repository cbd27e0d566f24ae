import { applyFlow, type ApplyOutcome } from "../apply/flow.js";
import { LockHeldError } from "../apply/locks.js";
import { applySucceeded, type ApplyCommand, type ApplyErrorView } from "../render/apply-outcome.js";
import { applyErrorJson, applyJson } from "../render/apply-json.js";
import { APPLY_INTERRUPTED_TEXT, applyProgressText, renderApplyCancelledText, renderApplyErrorText, renderApplyText } from "../render/apply-text.js";
import { renderPlanText } from "../render/plan-text.js";
import { confirmOnTerminal } from "./confirm.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson, type CommonOptions, type PolicyOptions } from "./options.js";
import { CERTFORM_VERSION } from "./version.js";

export interface ApplyOptions extends CommonOptions, PolicyOptions {
  autoApprove?: boolean;
  parallelism: string;
  verify: boolean;
  prune: boolean;
  adopt?: boolean;
  /** renew: the generated certificate to renew; the plan is just that renewal. */
  renew?: string;
}

/** apply and destroy: the flow of src/apply, with the terminal's questions, progress and report. */
export async function runApply(target: { paths: string[] } | { planFile: string }, opts: ApplyOptions, command: ApplyCommand): Promise<ExitCode> {
  const json = opts.format === "json";
  // With --format json, stdout holds the one JSON document: everything for people goes to stderr.
  const out = json ? process.stderr : process.stdout;
  const c = colorsFor(opts, out);
  const say = (s: string) => {
    if (s) out.write(s);
  };
  const parallelism = Number(opts.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    process.stderr.write(`--parallelism must be a whole number of at least 1, not ${opts.parallelism}\n`);
    return EXIT.error;
  }
  const interactive = process.stdin.isTTY === true && !json;
  let release: (() => Promise<void>) | undefined;
  const onSignal = () => {
    say(APPLY_INTERRUPTED_TEXT);
    void (release?.() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = applyProgressText(c, out.isTTY === true && !json);
  let outcome: ApplyOutcome;
  try {
    outcome = await applyFlow(
      target,
      { prune: opts.prune, parallelism, verify: opts.verify, version: CERTFORM_VERSION, command, destroy: command === "destroy", onLocked: (r) => (release = r), ...(opts.env ? { env: opts.env } : {}), ...(opts.policy ? { policy: opts.policy } : {}), ...(opts.adopt ? { adopt: true } : {}), ...(opts.renew !== undefined ? { renew: opts.renew } : {}) },
      {
        approve: async (plan) => {
          say(renderPlanText(plan, c));
          if (opts.autoApprove) return true;
          if (!interactive) throw new Error(`${command} needs approval but there is no terminal to ask: review the plan, then run again with --auto-approve (or apply a saved plan file)`);
          const ok = await confirmOnTerminal(plan, command === "destroy" ? "Destroy" : "Apply");
          if (!ok) say(renderApplyCancelledText(command));
          return ok;
        },
        progress: (e) => say(progress(e)),
      },
    );
  } catch (err) {
    const error: ApplyErrorView =
      err instanceof LockHeldError
        ? { kind: "locked", message: err.message, environment: err.environment, holder: err.holder, since: err.since }
        : { kind: "error", message: err instanceof Error ? err.message : String(err) };
    say(renderApplyErrorText(error, c));
    if (json) writeJson(applyErrorJson(error));
    return EXIT.error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  say(renderApplyText(outcome, command, c));
  if (json) writeJson(applyJson(outcome));
  return applySucceeded(outcome) ? EXIT.ok : EXIT.error;
}
