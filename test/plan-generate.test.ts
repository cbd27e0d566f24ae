import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { planPaths } from "../src/plan/index.js";
import { writePlan } from "./support/apply-ops.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { writeStackDir } from "./support/stack.js";

let gw: GatewayProcess;
beforeAll(async () => {
  gw = await startGateway({ environment: "dev", node: "dev-1" });
});
afterAll(() => gw?.stop());

async function plan(generate: string, now?: Date): Promise<Plan> {
  const dir = writeStackDir({
    "stack.yaml": `apiVersion: certform/v1\nkind: Stack\nname: gen\nenvironments:\n  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }\ncertificates:\n  wildcard:\n    generate: ${generate}\n# renewBefore 4d is inside the default criticalBefore (7d), which would refuse the plans made days ahead\nalerts: { criticalBefore: 1d }\n`,
  });
  const result = await planPaths([join(dir, "stack.yaml")], { prune: true, ...(now ? { now } : {}) });
  if ("failed" in result) throw new Error(JSON.stringify(result.failed));
  return result.plan;
}
const DAY = 86_400_000;

describe("generated certificates", () => {
  it("are created once, left alone, and replaced inside renewBefore or when their settings change", async () => {
    const spec = '{ hosts: ["*.dev.example.com"], validity: 10d, renewBefore: 4d }';
    const first = await plan(spec);
    expect(first.resource_changes[0]).toMatchObject({ action: "create", after: { settings: { generated: true } } });
    expect(first.environments[0]!.operations[0]!.keyRef).toBeUndefined();
    await writePlan(first);

    expect((await plan(spec)).summary["no-op"]).toBe(1);
    expect((await plan(spec, new Date(Date.now() + 5 * DAY))).summary["no-op"]).toBe(1);

    const renewal = (await plan(spec, new Date(Date.now() + 7 * DAY))).resource_changes[0]!;
    expect(renewal.action).toBe("replace");
    expect(renewal.reasons[0]).toMatch(/^renewal due: expires in [23] days, renewBefore 4d$/);

    const changed = (await plan('{ hosts: ["*.dev.example.com"], validity: 10d, renewBefore: 4d, keyType: ec-p384 }')).resource_changes[0]!;
    expect(changed).toMatchObject({ action: "replace", reasons: ["generate settings changed"] });

    const moreHosts = (await plan('{ hosts: ["*.dev.example.com", "dev.example.com"], validity: 10d, renewBefore: 4d }')).resource_changes[0]!;
    expect(moreHosts.action).toBe("replace");
  });
});
