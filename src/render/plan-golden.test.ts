import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlanFixture, RENDER_FIXTURES, renderCases } from "../../test/fixtures/render/fixtures.js";
import { palette } from "./palette.js";
import { renderPlanJson } from "./plan-json.js";
import { renderPlanMarkdown } from "./plan-markdown.js";
import { renderPlanText } from "./plan-text.js";

// Golden cases: test/fixtures/render/<case>/plan.json is the input (and, as the JSON rendering is the plan
// itself, its own expected output); plan.txt and plan.md are the expected text (no colour) and markdown.
// `UPDATE_GOLDEN=1 npx vitest run src/render` rewrites them; review the diff before committing.

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const CASES = renderCases();

function golden(file: string, actual: string): void {
  if (UPDATE) writeFileSync(file, actual);
  else if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run src/render and review it`);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("plan renderers match their golden files", () => {
  it("has the cases the renderers promise to cover", () => {
    expect(CASES).toEqual(expect.arrayContaining(["no-changes", "every-action", "two-environments-drift", "warnings", "hostile-values"]));
  });

  for (const name of CASES) {
    describe(name, () => {
      const plan = loadPlanFixture(name);
      const dir = join(RENDER_FIXTURES, name);

      it("the fixture's summary counts its changes", () => {
        const counts = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
        for (const c of plan.resource_changes) counts[c.action]++;
        expect(plan.summary).toEqual(counts);
      });
      it("json: the plan value itself, in the schema's key order", () => golden(join(dir, "plan.json"), renderPlanJson(plan)));
      it("text (no colour)", () => golden(join(dir, "plan.txt"), renderPlanText(plan, palette(false))));
      it("markdown", () => golden(join(dir, "plan.md"), renderPlanMarkdown(plan)));

      it("shows no key and no PEM, in any rendering", () => {
        const views = [renderPlanText(plan, palette(false)), renderPlanText(plan, palette(true)), renderPlanMarkdown(plan)];
        for (const v of views) {
          expect(v).not.toContain("PRIVATE KEY");
          expect(v).not.toContain("BEGIN CERTIFICATE");
        }
        // The JSON is the plan: a certificate's PEM may travel in an operation's body, a key never does.
        expect(renderPlanJson(plan)).not.toContain("PRIVATE KEY");
      });
    });
  }
});
