import type { ApplyProgressEvent } from "../model/apply-report.js";
import type { VerifyProblem } from "../model/verify-report.js";
import type { ApplyCommand, ApplyErrorView, ApplyOutcomeView } from "./apply-outcome.js";
import { renderDiagnosticLine } from "./diagnostic-line.js";
import { renderDiagnosticsText, renderProblemsText } from "./diagnostics-text.js";
import type { Palette } from "./palette.js";

const verb = (command: ApplyCommand) => (command === "destroy" ? "Destroy" : "Apply");
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** apply's report for a terminal or a CI log, once it has ended (declined prints nothing more). */
export function renderApplyText(outcome: ApplyOutcomeView, command: ApplyCommand, c: Palette): string {
  switch (outcome.kind) {
    case "failed-plan":
      return `${renderDiagnosticsText(outcome.failed.diagnostics, c)}${renderProblemsText(outcome.failed.problems, c)}${c.red("Nothing was changed on any gateway.")}\n`;
    case "stale":
      return renderDiagnosticLine({ code: "stale-plan", message: "the plan is stale and was not applied:", details: outcome.reasons, hint: "make a new plan" }, c);
    case "declined":
      return "";
    case "no-changes": {
      const problems = outcome.verification;
      if (problems.length === 0) return `No changes. The gateways match the stack.\n${outcome.plan.environments.length > 0 ? "Verified over TLS: every node serves what the stack declares.\n" : ""}`;
      return (
        c.red(`No changes to write, but verification failed: ${plural(problems.length, "problem")}.\n`) +
        verificationLines(problems, c) +
        "The nodes hold what the stack declares but do not serve it: check the nodes' logs (certform verify repeats this check).\n"
      );
    }
    case "applied": {
      const r = outcome.result;
      const s = r.summary;
      const counts = `${s.created} created, ${s.updated} updated, ${s.replaced} replaced, ${s.deleted} deleted.`;
      if (r.ok) return c.green(`\n${verb(command)} complete! ${counts}\n`);
      const failed = r.operations.filter((o) => o.state === "failed");
      const notApplied = r.operations.filter((o) => o.state === "not-applied");
      const applied = r.operations.filter((o) => o.state === "applied");
      return (
        c.red(`\n${verb(command)} failed: ${r.error}\n`) +
        `Applied ${applied.length}, failed ${failed.length}, not applied ${notApplied.length} (of ${r.operations.length} writes). So far: ${counts}\n` +
        failed.map((o) => `  ${c.red("failed")}      ${o.op} ${o.address} on ${o.node}: ${o.error ?? ""}\n`).join("") +
        listed(notApplied, (o) => `  ${c.dim("not applied")} ${o.op} ${o.address} on ${o.node}\n`, "not applied") +
        verificationLines(r.verification, c) +
        "A new plan shows what is left; apply again to converge.\n"
      );
    }
  }
}

// Thousands of writes left undone are one fact, not thousands of lines: the first ones say where it
// stopped, and --format json lists every one.
const LISTED = 20;
function listed<T>(items: readonly T[], line: (item: T) => string, what: string): string {
  const shown = items.slice(0, LISTED).map(line).join("");
  return items.length > LISTED ? `${shown}  … and ${items.length - LISTED} more ${what} (--format json lists every one)\n` : shown;
}

function verificationLines(problems: readonly VerifyProblem[], c: Palette): string {
  return problems.map((v) => `  ${c.red("verify")}      ${v.environment} node ${v.node}${v.host ? ` host ${v.host}` : ""}: ${v.message}\n`).join("");
}

/** apply ended by an error before any outcome: nothing was written. */
export function renderApplyErrorText(error: ApplyErrorView, c: Palette): string {
  if (error.kind === "locked") return renderDiagnosticLine({ code: "locked", message: error.message, hint: `wait for it to finish, or if it was killed: certform force-unlock ${error.environment}` }, c);
  return renderDiagnosticLine({ message: error.message }, c);
}

export function renderApplyCancelledText(command: ApplyCommand): string {
  return `${verb(command)} cancelled. Nothing was changed.\n`;
}

export const APPLY_INTERRUPTED_TEXT = "\nInterrupted: releasing the locks. Operations already sent may have been applied; run plan to see what is left.\n";

/** Progress while apply writes. On a terminal (live): one line per environment, rewritten in place; otherwise one plain line per operation. */
export function applyProgressText(c: Palette, live: boolean): (event: ApplyProgressEvent) => string {
  let env = "";
  return (e) => {
    if (e.type === "environment") {
      env = e.environment;
      return e.total > 0 ? `${c.bold(env)}: ${plural(e.total, "write")}\n` : "";
    }
    if (e.type === "operation") {
      const o = e.outcome;
      const line = `${env}: [${e.done}/${e.total}] ${o.state === "applied" ? c.green(o.op) : c.red(`${o.op} failed`)} ${o.address} (${o.collection}/${o.name}) on ${o.node}`;
      return live ? `\r\u001b[2K${line}${e.done === e.total ? "\n" : ""}` : `${line}\n`;
    }
    return e.problems === 0 ? `${e.environment}: ${c.green("verified")} over TLS on every node\n` : `${e.environment}: ${c.red(`verification found ${plural(e.problems, "problem")}`)}\n`;
  };
}
