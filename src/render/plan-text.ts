import type { Plan } from "../model/plan.js";
import { problemLabel } from "./diagnostic-line.js";
import type { Palette } from "./palette.js";
import { renderPolicyExceptionsText } from "./policy-exceptions-text.js";
import { CHANGE_ACTIONS, countsPhrase, PENDING, plain, planView, shortFingerprint, summaryLine, SYMBOL, type ChangeAction, type ChangeView, type Mark, type Row } from "./plan-view.js";

const LEGEND: Record<ChangeAction, string> = { create: "create", update: "update in place", replace: "replace (create before destroy)", delete: "delete" };

function symbol(action: ChangeAction, c: Palette): string {
  if (action === "replace") return `${c.red("-")}/${c.green("+")}`;
  return `  ${mark(SYMBOL[action] as Mark, c)}`;
}

function mark(m: Mark | "!", c: Palette): string {
  if (m === "+") return c.green(m);
  if (m === "-") return c.red(m);
  if (m === "~" || m === "!") return c.yellow(m);
  return m;
}

/** The row's text: fingerprints shortened to fit a terminal, except one that is added (shown whole). */
function rowLines(r: Row, width: number, c: Palette): string[] {
  const indent = "      ";
  if (r.type === "drift") return [`${indent}${mark("!", c)} ${"drift:".padEnd(width)} ${c.yellow(`node ${r.node} differs: ${r.detail}`)}`];
  if (r.type === "list") return [`${indent}  ${`${r.label}:`.padEnd(width)} ${r.items.join(", ")}${r.note ? ` ${r.note}` : ""}`];
  const short = (s: string) => (r.fingerprint ? shortFingerprint(s) : s);
  const head = `${indent}${mark(r.mark, c)} ${`${r.label}:`.padEnd(width)} `;
  const note = r.note ? ` ${c.dim(`(${r.note})`)}` : "";
  if (r.mark === "~" && r.old !== undefined) {
    const lines = [`${head}${short(r.old)} → ${short(r.value)}${note}`];
    // The full new fingerprint, so that a reviewer can compare it with what they expect.
    if (r.fingerprint && r.value !== PENDING && short(r.value) !== r.value) lines.push(`${indent}  ${"".padEnd(width)} (new: ${r.value})`);
    return lines;
  }
  return [`${head}${r.mark === "+" ? r.value : short(r.value)}${note}`];
}

function renderChange(ch: ChangeView, c: Palette): string {
  const why = ch.reasons.length ? `: ${ch.reasons.join("; ")}` : "";
  const width = Math.max(0, ...ch.rows.map((r) => (r.type === "drift" ? "drift" : r.label).length + 1));
  const lines = [`  # ${ch.address} ${ch.verb}${why}`, `${symbol(ch.action, c)} ${c.bold(ch.address)}`, ...ch.rows.flatMap((r) => rowLines(r, width, c))];
  return `${lines.join("\n")}\n`;
}

/** `certform plan` for a terminal, as Terraform prints one. Formats the plan value only. */
export function renderPlanText(plan: Plan, c: Palette): string {
  const envs = planView(plan);
  const parts: string[] = [`Stack ${c.bold(plain(plan.stack))}\n`];
  const used = CHANGE_ACTIONS.filter((a) => envs.some((e) => e.counts[a] > 0));
  if (used.length) parts.push(`Actions: ${used.map((a) => `${symbol(a, c).trim()} ${LEGEND[a]}`).join(", ")}\n`);
  for (const env of envs) {
    const gateway = env.gateway ? ` (${env.gateway})` : "";
    const nodes = env.nodes.map((n) => `  node ${n.node} at revision ${n.revision}\n`).join("");
    parts.push(`\n${c.bold(`Environment ${env.name}`)}${gateway}: ${countsPhrase(env.counts)}\n${nodes}`);
    for (const ch of env.changes) parts.push(`\n${renderChange(ch, c)}`);
  }
  if (plan.warnings.length) {
    const lines = plan.warnings.map((w) => `  ${problemLabel({ severity: "warning", code: plain(w.code) }, c)} ${w.address ? `${plain(w.address)}: ` : ""}${plain(w.message)}\n`);
    parts.push(`\n${c.yellow("Warnings:")}\n${lines.join("")}`);
  }
  if (plan.policy_exceptions?.length) parts.push(`\n${renderPolicyExceptionsText(plan.policy_exceptions, c)}`);
  parts.push(`\n${summaryLine(plan.summary)}\n`);
  return parts.join("");
}

/** After the plan, when plan --out saved it. */
export function renderPlanSavedText(file: string): string {
  return `\nSaved the plan to ${file}. Apply exactly this plan with: certform apply ${file}\n`;
}
