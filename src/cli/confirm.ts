import { createInterface } from "node:readline/promises";
import type { Plan } from "../model/plan.js";

/** Asks on the terminal: "yes", or the stack's name when the plan deletes anything (as Apinizer asks for the name). */
export async function confirmOnTerminal(plan: Plan, verb: string): Promise<boolean> {
  const deletes = plan.summary.delete > 0;
  const expected = deletes ? plan.stack : "yes";
  const question = deletes
    ? `\n${verb} deletes ${plan.summary.delete} object${plan.summary.delete === 1 ? "" : "s"}. Type the stack's name (${plan.stack}) to confirm: `
    : `\nDo you want to ${verb.toLowerCase()} these changes? Only 'yes' will be accepted: `;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === expected;
  } finally {
    rl.close();
  }
}
