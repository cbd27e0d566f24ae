import { changeCount, type Plan, type PolicyExceptionValue } from "../model/plan.js";
import { code, html, num, text } from "./markdown-escape.js";
import { CHANGE_ACTIONS, countsPhrase, planView, shortFingerprint, summaryLine, SYMBOL, type ChangeView, type Counts, type EnvironmentView, type Row } from "./plan-view.js";

/** GitHub refuses comments past 65,536 characters; this leaves room for whatever CI wraps around the plan. */
export const MARKDOWN_LIMIT = 60_000;

interface Limits {
  /** Changes listed (by address only) per environment. */
  changes: number;
  warnings: number;
  environments: number;
}

// Tried in order until the comment fits; the last one is small whatever the plan holds.
const SUMMARY_LEVELS: readonly Limits[] = [
  { changes: 200, warnings: 200, environments: Infinity },
  { changes: 50, warnings: 50, environments: Infinity },
  { changes: 10, warnings: 20, environments: 100 },
  { changes: 0, warnings: 5, environments: 20 },
  { changes: 0, warnings: 0, environments: 5 },
];

function summaryTable(plan: Plan, envs: readonly EnvironmentView[], limit: number): string {
  const cells = (c: Counts) => [...CHANGE_ACTIONS.map((a) => num(c[a])), num(c["no-op"])];
  const rows = envs.slice(0, limit).map((e) => `| ${code(e.name, "cell")} | ${cells(e.counts).join(" | ")} |`);
  if (envs.length > limit) rows.push(`| … and ${num(envs.length - limit)} more environments | | | | | |`);
  const total = cells(plan.summary).map((n) => `**${n}**`);
  return [
    "| environment | create | update | replace | delete | unchanged |",
    "|:--|--:|--:|--:|--:|--:|",
    ...rows,
    `| **total** | ${total.join(" | ")} |`,
  ].join("\n");
}

function warningsSection(plan: Plan, limit: number): string {
  const n = plan.warnings.length;
  if (n === 0) return "";
  const items = plan.warnings.slice(0, limit).map((w) => `- ${code(w.code)}${w.address ? ` ${code(w.address)}` : ""}: ${text(w.message)}`);
  if (n > limit) items.push(`- … and ${num(n - limit)} more warnings; run \`certform plan\` locally for all`);
  return `#### ⚠️ ${num(n)} warning${n === 1 ? "" : "s"}\n\n${items.join("\n")}\n\n`;
}

// Never shortened: a reviewer approves the exceptions along with the changes.
export function renderPolicyExceptionsMarkdown(exceptions: readonly PolicyExceptionValue[] | undefined): string {
  const list = exceptions ?? [];
  if (list.length === 0) return "";
  const items = list.map((e) => `- ${code(e.address)}: policy ${code(e.policy)} (${code(e.rule)}) excepted, **reason:** ${text(e.reason)}  \n  finding: ${text(e.finding)}`);
  return `#### Policy exceptions (${num(list.length)})\n\n${items.join("\n")}\n\n`;
}

const inCell = (s: string): string => code(s, "cell");

function cell(r: Row): [string, string, string] {
  if (r.type === "drift") return [inCell("!"), "drift", `node ${inCell(r.node)} differs: ${text(r.detail)}`];
  if (r.type === "list") return ["", text(r.label), `${r.items.map(inCell).join(", ")}${r.note ? ` ${text(r.note)}` : ""}`];
  const note = r.note ? ` (${text(r.note)})` : "";
  const mark = r.mark === " " ? "" : inCell(r.mark);
  // As in the text view: a fingerprint that goes away or stays is shortened, the one that comes shown whole.
  const short = (s: string) => (r.fingerprint ? shortFingerprint(s) : s);
  const value = r.mark === "~" && r.old !== undefined ? `${inCell(short(r.old))} → ${inCell(r.value)}` : inCell(r.mark === "+" ? r.value : short(r.value));
  return [mark, text(r.label), `${value}${note}`];
}

function changeSection(ch: ChangeView): string {
  const why = ch.reasons.length ? `: ${ch.reasons.map(text).join("; ")}` : "";
  const head = `**${code(SYMBOL[ch.action])} ${code(ch.address)}** ${ch.verb}${why}\n`;
  if (ch.rows.length === 0) return head;
  const rows = ch.rows.map((r) => `| ${cell(r).join(" | ")} |`);
  return `${head}\n| | attribute | value |\n|---|---|---|\n${rows.join("\n")}\n`;
}

function environmentSection(env: EnvironmentView, limits: Limits | null): string {
  const gateway = env.gateway ? ` (${html(env.gateway)})` : "";
  const summary = `<details><summary><b>${html(env.name)}</b>${gateway}: ${countsPhrase(env.counts, num)}</summary>\n\n`;
  const shown = limits ? env.nodes.slice(0, 10) : env.nodes;
  const hidden = env.nodes.length > shown.length ? ` and ${num(env.nodes.length - shown.length)} more` : "";
  const nodes = env.nodes.length ? `Nodes: ${shown.map((n) => `${code(n.node)} (revision ${n.revision})`).join(", ")}${hidden}\n\n` : "";
  let body: string;
  if (env.changes.length === 0) body = "No changes.\n";
  else if (!limits) body = env.changes.map(changeSection).join("\n");
  else {
    const listed = env.changes.slice(0, limits.changes).map((ch) => `- ${code(SYMBOL[ch.action])} ${code(ch.address)}`);
    const more = env.changes.length - listed.length;
    if (more > 0) listed.push(`- … and ${num(more)} more changes; run \`certform plan\` locally for all`);
    body = `${listed.join("\n")}\n`;
  }
  return `${summary}${nodes}${body}\n</details>\n`;
}

function compose(plan: Plan, envs: readonly EnvironmentView[], limits: Limits | null): string {
  const environments = limits?.environments ?? Infinity;
  const changes = changeCount(plan.summary);
  const parts = [`### certform plan: ${code(plan.stack)}\n\n`, `${summaryTable(plan, envs, environments)}\n\n`, `**${summaryLine(plan.summary)}**\n\n`];
  if (limits) {
    const each = limits.changes > 0 ? `each environment lists its first ${num(limits.changes)} changes by address` : "each environment shows its counts";
    parts.push(`> This plan (${num(changes)} changes) is too large for a comment: ${each}. Run \`certform plan\` locally for all the details.\n\n`);
  }
  parts.push(warningsSection(plan, limits?.warnings ?? Infinity));
  parts.push(renderPolicyExceptionsMarkdown(plan.policy_exceptions));
  parts.push(envs.slice(0, environments).map((e) => environmentSection(e, limits)).join("\n"));
  if (envs.length > environments) parts.push(`\n… and ${num(envs.length - environments)} more environments; run \`certform plan\` locally for all\n`);
  return parts.join("");
}

/**
 * The plan as a pull-request comment: the summary as a table, the warnings, then one collapsible section
 * per environment. Past MARKDOWN_LIMIT characters the changes are summarised (counts, then addresses).
 */
export function renderPlanMarkdown(plan: Plan): string {
  const envs = planView(plan);
  let out = compose(plan, envs, null);
  for (const limits of SUMMARY_LEVELS) {
    if (out.length <= MARKDOWN_LIMIT) break;
    out = compose(plan, envs, limits);
  }
  return out;
}
