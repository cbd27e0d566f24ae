import type { Diagnostic } from "../model/index.js";
import type { VerifyReport } from "../model/verify-report.js";
import { renderDiagnosticsText } from "./diagnostics-text.js";
import { problemLabel } from "./diagnostic-line.js";
import type { Palette } from "./palette.js";

/** `certform verify` for a terminal or a CI log: one line per environment, then every problem. */
export function renderVerifyText(report: VerifyReport, c: Palette): string {
  const lines: string[] = [];
  for (const env of report.environments) {
    const problems = report.problems.filter((p) => p.environment === env.name);
    const what = `${plural(env.nodes.length, "node")}, ${plural(env.checked.certificates, "certificate")}, ${plural(env.checked.jwks, "JWK")}, ${plural(env.checked.endpoints, "endpoint")}`;
    lines.push(problems.length === 0 ? `${c.green("✓")} ${c.bold(env.name)}: serves what the stack declares (${what})` : `${c.red("✗")} ${c.bold(env.name)}: ${plural(problems.length, "problem")} (${what})`);
    for (const p of problems) {
      lines.push(`  ${problemLabel(p, c)} ${p.address}${p.host ? ` host ${p.host}` : ""}`);
      lines.push(`    ${p.message}`);
      if (p.expected && p.served) lines.push(`    ${c.dim("expected:")} ${p.expected.join(" or ")}\n    ${c.dim("served:  ")} ${p.served}`);
    }
  }
  // Problems outside the listed environments (none today) must not be lost.
  for (const p of report.problems.filter((x) => !report.environments.some((e) => e.name === x.environment))) lines.push(`${problemLabel(p, c)} ${p.address}: ${p.message}`);
  lines.push("");
  lines.push(report.ok ? c.green("Verified: every node serves what the stack declares.") : c.red(`Verification failed: ${plural(report.problems.length, "problem")}. Run certform plan to see what differs, and certform apply to repair it.`));
  return `${lines.join("\n")}\n`;
}

/** `certform verify` when the stack has errors: nothing was checked. */
export function renderVerifyStackErrorsText(errors: readonly Diagnostic[], c: Palette): string {
  return `${renderDiagnosticsText(errors, c)}Nothing verified: fix the errors above.\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
