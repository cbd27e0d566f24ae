import type { PolicyExceptionValue } from "../model/plan.js";
import type { Palette } from "./palette.js";
import { plain } from "./plan-view.js";

/** Policy findings an except entry lets pass, each with its reason, for validate and plan in a terminal. */
export function renderPolicyExceptionsText(exceptions: readonly PolicyExceptionValue[] | undefined, c: Palette): string {
  if (!exceptions?.length) return "";
  const lines = exceptions.map((e) => `  ${plain(e.address)}: policy ${plain(e.policy)} (${plain(e.rule)}) excepted, reason: ${plain(e.reason)}\n    ${c.dim(`finding: ${plain(e.finding)}`)}\n`);
  return `${c.bold("Policy exceptions:")}\n${lines.join("")}`;
}
