import { createHash } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanSchema } from "../src/model/plan.js";
import { readPlanFileText } from "../src/plan/plan-file.js";
import { certform } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem } from "./support/pki.js";
import { positionOf, writeStackDir } from "./support/stack.js";

let gw: GatewayProcess;
let dir: string;
const env = { DEV_TOKEN: "t0ken" };

const stack = (policies: string) => `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"], token: "\${env:DEV_TOKEN}" } }
certificates:
  terminals: { certificate: { file: terminals.pem }, key: { file: terminals.key } }
  api: { generate: { hosts: ["api.example.com"] } }
${policies}`;

beforeAll(async () => {
  const ca = await makeCa();
  const terminals = await issue({ issuer: ca, hosts: ["terminals.example.com"], keyType: "rsa-2048" });
  gw = await startGateway({ token: "t0ken", environment: "dev", node: "dev-1" });
  dir = writeStackDir({ "terminals.pem": toPem([terminals.certificate, ca.certificate]), "terminals.key": terminals.keyPem });
}, 120_000);
afterAll(() => gw?.stop());

describe("plan with policies", () => {
  it("refuses to plan while an error finding remains, in every format, and says where", async () => {
    const yaml = stack(`policies:\n  strong-keys: { rule: keyTypes, allow: [ec-p256, ec-p384] }\n  our-hosts: { rule: hosts, allow: [terminals.example.com], except: [{ address: certificates.api, reason: "the API keeps its name" }] }\n`);
    writeFileSync(join(dir, "stack.yaml"), yaml);
    const text = await certform(["plan", "stack.yaml"], { cwd: dir, env });
    const at = positionOf(yaml, "{ file: terminals.pem }");
    expect(text.stdout).toContain(`stack.yaml:${at.line}:${at.column}: error[policy-keyTypes] certificates.terminals[dev]: policy strong-keys: its key is rsa-2048`);
    expect(text.stdout).not.toContain("Plan:");
    expect(text.code).toBe(1);
    const md = await certform(["plan", "stack.yaml", "--format", "markdown"], { cwd: dir, env });
    expect(md.stdout).toContain("policy-keyTypes");
    // The pull-request comment lists the exceptions beside the errors.
    expect(md.stdout).toContain("`certificates.api[dev]`: policy `our-hosts` (`hosts`) excepted, **reason:** the API keeps its name");
    expect(md.code).toBe(1);
    const json = await certform(["plan", "stack.yaml", "--format", "json"], { cwd: dir, env });
    expect(json.stdout).toContain('"code": "policy-keyTypes"');
    expect(JSON.parse(json.stdout).policy_exceptions).toEqual([expect.objectContaining({ policy: "our-hosts", address: "certificates.api[dev]", reason: "the API keeps its name" })]);
    expect(json.code).toBe(1);
    // Nothing was written: the node still holds no certificate.
    const list = await certform(["list", "stack.yaml", "--format", "json"], { cwd: dir, env });
    expect(list.code).toBe(0);
    expect(JSON.stringify(JSON.parse(list.stdout))).not.toContain("terminals");
  }, 120_000);

  it("a rule from --policy refuses the plan just the same", async () => {
    writeFileSync(join(dir, "stack.yaml"), stack(""));
    writeFileSync(join(dir, "team-policy.yaml"), "policies:\n  strong-keys: { rule: keyTypes, minRsaBits: 3072 }\n");
    const r = await certform(["plan", "stack.yaml", "--policy", "team-policy.yaml"], { cwd: dir, env });
    expect(r.stdout).toContain("error[policy-keyTypes] certificates.terminals[dev]: policy strong-keys: its RSA key has 2048 bits");
    expect(r.stdout).toContain("see team-policy.yaml:2:3");
    expect(r.code).toBe(1);
  }, 120_000);

  it("apply, renew and verify take --policy too: an error finding stops them before any write", async () => {
    writeFileSync(join(dir, "stack.yaml"), stack(""));
    writeFileSync(join(dir, "team-policy.yaml"), "policies:\n  strong-keys: { rule: keyTypes, minRsaBits: 3072 }\n");
    for (const args of [["apply", "stack.yaml", "--auto-approve"], ["renew", "certificates.api", "stack.yaml", "--auto-approve"], ["verify", "stack.yaml"]]) {
      const r = await certform([...args, "--policy", "team-policy.yaml"], { cwd: dir, env });
      expect(r.stdout, args[0]).toContain("error[policy-keyTypes] certificates.terminals[dev]: policy strong-keys:");
      expect(r.code, args[0]).toBe(1);
    }
    const list = await certform(["list", "stack.yaml", "--format", "json"], { cwd: dir, env });
    expect(list.code).toBe(0);
    expect(JSON.stringify(JSON.parse(list.stdout))).not.toContain("terminals");
  }, 120_000);

  it("plans with an exception and shows its reason in text, markdown and JSON", async () => {
    const reason = "card terminals in the field only speak RSA-2048 until 2027";
    writeFileSync(join(dir, "stack.yaml"), stack(`policies:\n  strong-keys:\n    rule: keyTypes\n    allow: [ec-p256, ec-p384]\n    except: [{ address: certificates.terminals, reason: "${reason}" }]\n`));
    const text = await certform(["plan", "stack.yaml"], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Plan: 2 to create");
    expect(text.stdout).toContain(`Policy exceptions:\n  certificates.terminals[dev]: policy strong-keys (keyTypes) excepted, reason: ${reason}\n    finding: its key is rsa-2048`);

    const md = await certform(["plan", "stack.yaml", "--format", "markdown"], { cwd: dir, env });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("#### Policy exceptions (1)");
    expect(md.stdout).toContain(`- \`certificates.terminals[dev]\`: policy \`strong-keys\` (\`keyTypes\`) excepted, **reason:** ${reason}`);

    const json = await certform(["plan", "stack.yaml", "--format", "json"], { cwd: dir, env });
    expect(json.code).toBe(0);
    const plan = PlanSchema.parse(JSON.parse(json.stdout));
    expect(plan.policy_exceptions).toEqual([
      { policy: "strong-keys", rule: "keyTypes", address: "certificates.terminals[dev]", reason, finding: expect.stringContaining("its key is rsa-2048") },
    ]);
  }, 120_000);

  // Last: it applies, where the tests above rely on an empty node.
  it("a saved plan records its --policy files; apply PLANFILE refuses it when one changed or is gone, and checks --policy files given now", async () => {
    writeFileSync(join(dir, "stack.yaml"), stack(""));
    const policy = "policies:\n  known-keys: { rule: keyTypes, allow: [ec-p256, rsa-2048] }\n";
    writeFileSync(join(dir, "team-policy.yaml"), policy);
    const planned = await certform(["plan", "stack.yaml", "--policy", "team-policy.yaml", "--out", "plan.json"], { cwd: dir, env });
    expect(planned.code).toBe(0);
    const saved = PlanSchema.parse(JSON.parse(readPlanFileText(join(dir, "plan.json"))));
    expect(saved.policy_files).toEqual([{ path: "team-policy.yaml", sha256: createHash("sha256").update(policy).digest("hex") }]);
    expect(saved.stack_paths).toEqual(["stack.yaml"]);

    // Changed since the plan, even by a comment: the plan a user approved was checked against other rules.
    writeFileSync(join(dir, "team-policy.yaml"), `${policy}# tightened next quarter\n`);
    const changed = await certform(["apply", "plan.json", "--format", "json"], { cwd: dir, env });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain("the plan is stale and was not applied:");
    expect(changed.stderr).toContain("the policy file team-policy.yaml changed since the plan");
    expect(JSON.parse(changed.stdout)).toMatchObject({ ok: false, error: { code: "stale-plan", message: expect.stringContaining("the policy file team-policy.yaml changed since the plan") } });

    rmSync(join(dir, "team-policy.yaml"));
    const gone = await certform(["apply", "plan.json"], { cwd: dir, env });
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain("the policy file team-policy.yaml the plan was checked against is gone");

    // Back as it was: the plan holds again, and a --policy given now is checked as well.
    writeFileSync(join(dir, "team-policy.yaml"), policy);
    writeFileSync(join(dir, "strict.yaml"), "policies:\n  strong-keys: { rule: keyTypes, minRsaBits: 3072 }\n");
    const stricter = await certform(["apply", "plan.json", "--policy", "strict.yaml"], { cwd: dir, env });
    expect(stricter.stdout).toContain("error[policy-keyTypes] certificates.terminals[dev]: policy strong-keys: its RSA key has 2048 bits");
    expect(stricter.code).toBe(1);
    const before = await certform(["list", "stack.yaml", "--format", "json"], { cwd: dir, env });
    expect(JSON.stringify(JSON.parse(before.stdout))).not.toContain("terminals");

    const applied = await certform(["apply", "plan.json", "--policy", "team-policy.yaml"], { cwd: dir, env });
    expect(applied.stdout).toContain("Apply complete! 2 created");
    expect(applied.code).toBe(0);
    const after = await certform(["list", "stack.yaml", "--format", "json"], { cwd: dir, env });
    expect(JSON.stringify(JSON.parse(after.stdout))).toContain("terminals");
  }, 240_000);
});
