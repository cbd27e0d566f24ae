import { applyFlow, type ApplyOutcome } from "../apply/flow.js";
import type { ProgressEvent } from "../apply/execute.js";
import { LockHeldError } from "../apply/locks.js";
import type { Plan } from "../model/plan.js";
import type { PlanFailure } from "../plan/index.js";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { renderPlanText } from "../render/plan-text.js";
import type { Palette } from "../render/palette.js";
import { confirmOnTerminal } from "./confirm.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson, type CommonOptions } from "./options.js";
import { CERTFORM_VERSION } from "./version.js";

export interface ApplyOptions extends CommonOptions {
  autoApprove?: boolean;
  parallelism: string;
  verify: boolean;
  prune: boolean;
  adopt?: boolean;
}

/** apply and destroy: the flow of src/apply, with the terminal's questions, progress and report. */
export async function runApply(target: { paths: string[] } | { planFile: string }, opts: ApplyOptions, command: "apply" | "destroy"): Promise<ExitCode> {
  const json = opts.format === "json";
  const out = json ? process.stderr : process.stdout;
  const c = colorsFor(opts, out);
  const say = (s: string) => out.write(s);
  const parallelism = Number(opts.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    process.stderr.write(`--parallelism must be a whole number of at least 1, not ${opts.parallelism}\n`);
    return EXIT.error;
  }
  const interactive = process.stdin.isTTY === true && !json;
  let release: (() => Promise<void>) | undefined;
  const onSignal = () => {
    say("\nInterrupted: releasing the locks. Operations already sent may have been applied; run plan to see what is left.\n");
    void (release?.() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let outcome: ApplyOutcome;
  try {
    outcome = await applyFlow(
      target,
      { prune: opts.prune, parallelism, verify: opts.verify, version: CERTFORM_VERSION, command, destroy: command === "destroy", onLocked: (r) => (release = r), ...(opts.env ? { env: opts.env } : {}), ...(opts.adopt ? { adopt: true } : {}) },
      {
        approve: async (plan) => {
          say(renderPlanText(plan, c));
          if (opts.autoApprove) return true;
          if (!interactive) throw new Error(`${command} needs approval but there is no terminal to ask: review the plan, then run again with --auto-approve (or apply a saved plan file)`);
          const ok = await confirmOnTerminal(plan, command === "destroy" ? "Destroy" : "Apply");
          if (!ok) say(`${command === "destroy" ? "Destroy" : "Apply"} cancelled. Nothing was changed.\n`);
          return ok;
        },
        progress: progressPrinter(say, c, out.isTTY === true && !json),
      },
    );
  } catch (err) {
    if (err instanceof LockHeldError) {
      say(`${c.red("error[locked]")} ${err.message}\n  ${c.dim("hint:")} wait for it to finish, or if it was killed: certform force-unlock ${err.environment}\n`);
      if (json) writeJson({ ok: false, error: { code: "locked", message: err.message, holder: err.holder, since: err.since } });
      return EXIT.error;
    }
    const message = err instanceof Error ? err.message : String(err);
    say(`${c.red("error")} ${message}\n`);
    if (json) writeJson({ ok: false, error: { code: "apply-failed", message } });
    return EXIT.error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return report(outcome, { say, c, json, command });
}

function report(outcome: ApplyOutcome, ctx: { say: (s: string) => void; c: Palette; json: boolean; command: string }): ExitCode {
  const { say, c, json } = ctx;
  switch (outcome.kind) {
    case "failed-plan":
      say(failedText(outcome.failed, c));
      if (json) writeJson({ ok: false, error: { code: "no-plan", message: "the stack or the gateways could not be planned" }, errors: [...outcome.failed.diagnostics, ...outcome.failed.problems] });
      return EXIT.error;
    case "stale":
      say(`${c.red("error[stale-plan]")} the plan is stale and was not applied:\n${outcome.reasons.map((r) => `  - ${r}\n`).join("")}  ${c.dim("hint:")} make a new plan\n`);
      if (json) writeJson({ ok: false, error: { code: "stale-plan", message: outcome.reasons.join("; ") } });
      return EXIT.error;
    case "declined":
      if (json) writeJson({ ok: false, error: { code: "declined", message: "not approved" } });
      return EXIT.error;
    case "no-changes": {
      const problems = outcome.verification;
      const ok = problems.length === 0;
      if (ok) say(`No changes. The gateways match the stack.\n${outcome.plan.environments.length > 0 ? "Verified over TLS: every node serves what the stack declares.\n" : ""}`);
      else {
        say(c.red(`No changes to write, but verification failed: ${problems.length} problem${problems.length === 1 ? "" : "s"}.\n`));
        for (const v of problems) say(`  ${c.red("verify")}      ${v.environment} node ${v.node}${v.host ? ` host ${v.host}` : ""}: ${v.message}\n`);
        say("The nodes hold what the stack declares but do not serve it: check the nodes' logs (certform verify repeats this check).\n");
      }
      if (json) writeJson({ ok, stack: outcome.plan.stack, summary: { created: 0, updated: 0, replaced: 0, deleted: 0 }, operations: [], verification: problems, ...(ok ? {} : { error: `verification failed: ${problems[0]!.message}` }) });
      return ok ? EXIT.ok : EXIT.error;
    }
    case "applied": {
      const r = outcome.result;
      const s = r.summary;
      const counts = `${s.created} created, ${s.updated} updated, ${s.replaced} replaced, ${s.deleted} deleted.`;
      if (r.ok) say(c.green(`\n${ctx.command === "destroy" ? "Destroy" : "Apply"} complete! ${counts}\n`));
      else {
        say(c.red(`\n${ctx.command === "destroy" ? "Destroy" : "Apply"} failed: ${r.error}\n`));
        const failed = r.operations.filter((o) => o.state === "failed");
        const notApplied = r.operations.filter((o) => o.state === "not-applied");
        const applied = r.operations.filter((o) => o.state === "applied");
        say(`Applied ${applied.length}, failed ${failed.length}, not applied ${notApplied.length} (of ${r.operations.length} writes). So far: ${counts}\n`);
        for (const o of failed) say(`  ${c.red("failed")}      ${o.op} ${o.address} on ${o.node}: ${o.error ?? ""}\n`);
        for (const o of notApplied) say(`  ${c.dim("not applied")} ${o.op} ${o.address} on ${o.node}\n`);
        for (const v of r.verification) say(`  ${c.red("verify")}      ${v.environment} node ${v.node}${v.host ? ` host ${v.host}` : ""}: ${v.message}\n`);
        say("A new plan shows what is left; apply again to converge.\n");
      }
      if (json) writeJson(r);
      return r.ok ? EXIT.ok : EXIT.error;
    }
  }
}

function failedText(failed: PlanFailure, c: Palette): string {
  let text = renderDiagnosticsText(failed.diagnostics, c);
  for (const p of failed.problems) text += `${c.red(`error[${p.code}]`)} ${p.address}: ${p.message}\n  ${c.dim("hint:")} ${p.hint}\n`;
  return `${text}${c.red("Nothing was changed on any gateway.")}\n`;
}

/** On a terminal: one live line per environment; otherwise one plain line per operation. */
function progressPrinter(say: (s: string) => void, c: Palette, live: boolean): (e: ProgressEvent) => void {
  let env = "";
  return (e) => {
    if (e.type === "environment") {
      env = e.environment;
      if (e.total > 0) say(`${live ? "" : ""}${c.bold(env)}: ${e.total} write${e.total === 1 ? "" : "s"}\n`);
    } else if (e.type === "operation") {
      const o = e.outcome;
      const line = `${env}: [${e.done}/${e.total}] ${o.state === "applied" ? c.green(o.op) : c.red(`${o.op} failed`)} ${o.address} (${o.collection}/${o.name}) on ${o.node}`;
      if (live) say(`\r\u001b[2K${line}${e.done === e.total ? "\n" : ""}`);
      else say(`${line}\n`);
    } else {
      say(e.problems === 0 ? `${e.environment}: ${c.green("verified")} over TLS on every node\n` : `${e.environment}: ${c.red(`verification found ${e.problems} problem${e.problems === 1 ? "" : "s"}`)}\n`);
    }
  };
}

export type { Plan };
