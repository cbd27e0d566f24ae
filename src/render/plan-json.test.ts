import { describe, expect, it } from "vitest";
import { loadPlanFixture } from "../../test/fixtures/render/fixtures.js";
import { PlanSchema, type Plan } from "../model/plan.js";
import { renderPlanJson } from "./plan-json.js";

/** The same data with every object's keys in reverse order (records included). */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

describe("renderPlanJson", () => {
  const plan = loadPlanFixture("every-action");

  it("is the plan value, pretty-printed, with a trailing newline", () => {
    const out = renderPlanJson(plan);
    expect(out.endsWith("}\n")).toBe(true);
    expect(out).toContain('\n  "format_version": "1",\n');
    expect(PlanSchema.parse(JSON.parse(out))).toEqual(plan);
  });

  it("puts keys in the schema's order whatever order the value holds them in", () => {
    const shuffled = reversed(plan) as Plan;
    expect(Object.keys(shuffled)[0]).toBe("stack_paths");
    const out = renderPlanJson(shuffled);
    // Optional keys (policy_exceptions) are left out when the plan has none.
    expect(Object.keys(JSON.parse(out))).toEqual(Object.keys(PlanSchema.shape).filter((k) => k in plan));
    const change = JSON.parse(out).resource_changes[0];
    expect(Object.keys(change)).toEqual(["address", "environment", "kind", "name", "action", "reasons", "before", "after", "nodes", "drift", "impact"]);
    expect(Object.keys(change.after.certificate).slice(0, 3)).toEqual(["fingerprint256", "subject", "issuer"]);
  });

  it("renders the same plan to the same bytes", () => {
    expect(renderPlanJson(structuredClone(plan))).toBe(renderPlanJson(plan));
  });

  it("refuses a plan that holds a private key, naming where", () => {
    const leaky = structuredClone(plan);
    leaky.environments[0]!.operations[0]!.body = { key: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n" };
    expect(() => renderPlanJson(leaky)).toThrow(/refusing to render a plan that holds a private key \(in the operation for certificates\.web\[prod\]\)/);
  });
});
