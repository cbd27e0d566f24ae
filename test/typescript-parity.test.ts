import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform, REPO } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";

// examples/typescript/main.ts describes the estate of examples/multi-env; against the same gateways both
// must give the same plan. The YAML copy gets the test gateways' URLs written in; the TypeScript example
// reads them from CERTFORM_EXAMPLE_<ENV>_NODES.

let dev: GatewayProcess;
let test: GatewayProcess;
let prod1: GatewayProcess;
let prod2: GatewayProcess;
let yamlDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [dev, test, prod1, prod2] = await Promise.all([
    startGateway({ environment: "dev", node: "dev-1" }),
    startGateway({ environment: "test", node: "test-1", token: "test-token" }),
    startGateway({ environment: "prod", node: "prod-1", token: "prod-token" }),
    startGateway({ environment: "prod", node: "prod-2", token: "prod-token" }),
  ]);
  yamlDir = join(mkdtempSync(join(tmpdir(), "certform-parity-")), "multi-env");
  cpSync(join(REPO, "examples", "multi-env"), yamlDir, { recursive: true });
  const stackYaml = join(yamlDir, "stack.yaml");
  const urls: Record<string, string> = { "http://127.0.0.1:8081": dev.admin, "http://127.0.0.1:8085": test.admin, "http://127.0.0.1:8091": prod1.admin, "http://127.0.0.1:8092": prod2.admin };
  writeFileSync(stackYaml, readFileSync(stackYaml, "utf8").replace(/http:\/\/127\.0\.0\.1:80\d\d/g, (u) => urls[u]!));
  env = {
    CERTFORM_TEST_TOKEN: "test-token",
    CERTFORM_PROD_TOKEN: "prod-token",
    CERTFORM_EXAMPLE_DEV_NODES: dev.admin,
    CERTFORM_EXAMPLE_TEST_NODES: test.admin,
    CERTFORM_EXAMPLE_PROD_NODES: `${prod1.admin},${prod2.admin}`,
  };
});
afterAll(async () => {
  await Promise.all([dev?.stop(), test?.stop(), prod1?.stop(), prod2?.stop()]);
});

/** The plan as JSON, without what differs by nature: when it was made and from which paths. */
async function planJson(path: string): Promise<Record<string, unknown>> {
  const r = await certform(["plan", path, "--format", "json"], { env });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const { created_at: _c, stack_paths: paths, ...rest } = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(paths).toEqual([path]);
  return rest;
}

describe("the TypeScript example and the YAML example", () => {
  it("plan identically against the same gateways", async () => {
    const [yaml, ts] = await Promise.all([planJson(yamlDir), planJson("examples/typescript/main.ts")]);
    expect(yaml.summary).toEqual({ create: 61, update: 0, replace: 0, delete: 0, "no-op": 0 });
    expect(ts).toEqual(yaml);
    expect(JSON.stringify(ts)).not.toContain("PRIVATE KEY");
  });

  it("certform plan prints the TypeScript stack's plan as text", async () => {
    const r = await certform(["plan", "examples/typescript/main.ts", "--env", "prod"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("certificates.edge[prod]");
    expect(r.stdout).not.toContain("[dev]");
  });
});
