import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LiveNode } from "../providers/provider.js";
import { palette } from "../render/palette.js";
import { renderPlanJson } from "../render/plan-json.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { renderPlanText } from "../render/plan-text.js";
import { readStack } from "../stack/index.js";
import { planChanges } from "./plan-changes.js";

// Golden cases of the planner: test/fixtures/plan/<case>/ holds stack.yaml (the desired state) and
// live.json (what the nodes hold, as a provider reads them); plan.json, plan.txt and plan.md are the plan
// made from them and its renderings. No gateway is started: the planner is a function of the two.
// Certificates are the public ones under examples/ (no key anywhere); the clock and version are fixed.
// `UPDATE_GOLDEN=1 npx vitest run src/plan/plan-golden.test.ts` rewrites the outputs; review the diff.

const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures", "plan");
const NOW = new Date("2026-11-24T12:00:00.000Z");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const CASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

async function planOf(dir: string) {
  const stack = await readStack([join(dir, "stack.yaml")], { requireGatewayEnv: true });
  const errors = stack.diagnostics.filter((d) => d.severity === "error");
  if (!stack.state || errors.length > 0) throw new Error(JSON.stringify(errors));
  // Every node the stack names, found in live.json by its URL.
  const nodes = JSON.parse(readFileSync(join(dir, "live.json"), "utf8")) as LiveNode[];
  const live = new Map(stack.state.environments.map((env) => [env.name, env.spec.gateway.nodes.map((url) => nodes.find((n) => n.node === url) ?? missing(url))]));
  const { plan, problems } = planChanges({
    state: stack.state,
    live,
    warnings: stack.diagnostics.filter((d) => d.severity === "warning"),
    options: { prune: true, adopt: false, environments: null },
    stackPaths: ["stack.yaml"],
    now: NOW,
    version: "0.0.0-golden",
  });
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return plan;
}

function missing(url: string): never {
  throw new Error(`live.json has no node ${url}`);
}

function golden(file: string, actual: string): void {
  if (UPDATE) writeFileSync(file, actual);
  else if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run src/plan/plan-golden.test.ts and review it`);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("planner golden cases", () => {
  it("has the cases it promises to cover", () => {
    expect(CASES).toEqual(expect.arrayContaining(["create-everything", "no-changes", "rotate-move-remove"]));
  });

  for (const name of CASES) {
    it(name, async () => {
      const dir = join(FIXTURES, name);
      const plan = await planOf(dir);
      golden(join(dir, "plan.json"), renderPlanJson(plan));
      golden(join(dir, "plan.txt"), renderPlanText(plan, palette(false)));
      golden(join(dir, "plan.md"), renderPlanMarkdown(plan));
    });
  }
});
