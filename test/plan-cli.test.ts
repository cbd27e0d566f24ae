import { readPlanFileText } from "../src/plan/plan-file.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanSchema } from "../src/model/plan.js";
import { certform } from "./support/cli.js";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, keyToPem, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

let gw: GatewayProcess;
let ca: Issued;
let api: Issued;
let dir: string;

beforeAll(async () => {
  ca = await makeCa();
  api = await issue({ issuer: ca, hosts: ["api.example.com"], keyType: "rsa-2048" });
  gw = await startGateway({ token: "t0ken", environment: "dev", node: "dev-1" });
  dir = writeStackDir({
    "stacks/payments.yaml": `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"], token: "\${env:DEV_TOKEN}" } }
certificates:
  api: { certificate: { file: api.pem }, key: { file: api.key, passphrase: "\${env:KEY_PASS}" } }
  wild: { generate: { hosts: ["*.dev.example.com"] } }
`,
    "stacks/api.pem": toPem([api.certificate, ca.certificate]),
    "stacks/api.key": keyToPem(api.key, { passphrase: "kp" }),
  });
});
afterAll(() => gw?.stop());

const env = { DEV_TOKEN: "t0ken", KEY_PASS: "kp" };

describe("certform plan", () => {
  it("prints the plan, saves it with --out, and no rendering or plan file holds a key", async () => {
    const text = await certform(["plan", "--out", "plan.json"], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(text.stdout).toContain(api.certificate.fingerprint256);
    const file = readPlanFileText(join(dir, "plan.json"));
    const plan = PlanSchema.parse(JSON.parse(file));
    expect(plan.environments[0]!.nodes).toEqual([{ node: gw.admin, revision: 0 }]);
    expect(plan.sources).toContainEqual({ address: "certificates.api[dev]", field: "key", fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}/) });

    const json = await certform(["plan", "--format", "json"], { cwd: dir, env });
    const md = await certform(["plan", "--format", "markdown"], { cwd: dir, env });
    expect(JSON.parse(json.stdout).summary).toEqual({ create: 2, update: 0, replace: 0, delete: 0, "no-op": 0 });
    expect(md.stdout).toMatch(/<details>/);
    for (const out of [text.stdout, text.stderr, json.stdout, md.stdout, file]) {
      expect(out).not.toContain("PRIVATE KEY");
      expect(keyEchoes(out, secretOf(api.key))).toEqual([]);
      expect(out).not.toContain("t0ken");
    }
  });

  it("--detailed-exitcode: 2 with changes; 1 when a node cannot be read, naming it", async () => {
    expect((await certform(["plan", "--detailed-exitcode"], { cwd: dir, env })).code).toBe(2);
    const wrongToken = await certform(["plan"], { cwd: dir, env: { ...env, DEV_TOKEN: "nope" } });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stdout).toContain(gw.admin);
    expect(wrongToken.stdout).toMatch(/unauthorized/);
    expect(wrongToken.stdout).toContain("set DEV_TOKEN to the token the node was started with");
    expect(wrongToken.stdout).toContain("Nothing was changed on any gateway.");
    const unset = await certform(["plan"], { cwd: dir, env: { KEY_PASS: "kp", DEV_TOKEN: "" } });
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain("DEV_TOKEN is not set");
  });
});
