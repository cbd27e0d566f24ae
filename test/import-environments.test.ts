import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../src/bundle/limits.js";
import { readZip } from "../src/bundle/zip-read.js";
import { writeZip } from "../src/bundle/zip-write.js";
import { certform } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { makeCa, tempDir, writeFiles, type Issued } from "./support/pki.js";

// `import … --env NAME` of an export that holds several environments takes the input's environment of that
// name; --map-environment is needed only when none has it. Real exports from real gateways, the real CLI.

let test: GatewayProcess;
let prod: GatewayProcess;
let work: string;
let cas: Record<"test" | "prod", Issued>;

beforeAll(async () => {
  const [testCa, prodCa] = await Promise.all([makeCa({ subject: "CN=Backend Test" }), makeCa({ subject: "CN=Backend Prod" })]);
  cas = { test: testCa, prod: prodCa };
  [test, prod] = await Promise.all([startGateway({ environment: "test", node: "test-1" }), startGateway({ environment: "prod", node: "prod-1" })]);
  work = await tempDir("certform-import-envs-");
  await writeFiles(join(work, "stacks"), {
    "test-ca.pem": testCa.pem,
    "prod-ca.pem": prodCa.pem,
    "payments.yaml": `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  test: { gateway: { type: embedded, nodes: ["${test.admin}"] } }
  prod: { gateway: { type: embedded, nodes: ["${prod.admin}"] } }
trustedCertificates:
  backend-ca: { certificate: { file: "\${environment}-ca.pem" } }
endpoints:
  billing: { url: "https://billing.\${environment}.internal:9443" }
trustAssignments:
  billing: { certificate: backend-ca, endpoint: billing }
`,
  });
  const applied = await certform(["apply", "--auto-approve", join(work, "stacks")]);
  expect(applied.stdout).toContain("Apply complete!");
  // One export per environment, side by side in one directory, and the same as one ZIP.
  mkdirSync(join(work, "all"));
  for (const env of ["test", "prod"]) {
    const r = await certform(["export", join(work, "stacks"), "--env", env, "--out", join(work, "all", `${env}.zip`)]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  }
  writeFileSync(join(work, "all.zip"), await writeZip(["test", "prod"].map((env) => [`${env}.zip`, readFileSync(join(work, "all", `${env}.zip`))])));
});
afterAll(async () => {
  await Promise.all([test?.stop(), prod?.stop()]);
});

const stackOf = (dir: string) => readFileSync(join(dir, "payments.yaml"), "utf8");
const trustedPem = (dir: string) => readFileSync(join(dir, "trusted", "backend-ca.pem"), "utf8");

describe("import of an export that holds several environments", () => {
  it("--env prod takes the input's prod environment, from a directory of bundles and from a ZIP of them", async () => {
    for (const input of ["all", "all.zip"]) {
      const out = join(work, `prod-from-${input}`);
      const r = await certform(["import", join(work, input), "--env", "prod", "--out", out]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Imported a certform bundle of stack payments, environment prod");
      expect(stackOf(out)).toContain('url: "https://billing.prod.internal:9443"');
      expect(trustedPem(out)).toBe(cas.prod.pem);
    }
  });

  it("when no environment of the input has the target's name, --map-environment is required, and the error lists the names", async () => {
    const out = join(work, "staging");
    const r = await certform(["import", join(work, "all"), "--env", "staging", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[ambiguous-environment] the input holds environments prod, test, none of them named staging");
    expect(r.stdout).toContain("hint: choose one with --map-environment FROM=staging, e.g. --map-environment prod=staging");
    expect(existsSync(out)).toBe(false);

    const mapped = await certform(["import", join(work, "all"), "--env", "staging", "--map-environment", "test=staging", "--out", out]);
    expect(mapped.code).toBe(0);
    expect(mapped.stdout).toContain("Imported a certform bundle of stack payments, environment test");
    expect(trustedPem(out)).toBe(cas.test.pem);
  });

  it("an explicit --map-environment still wins over a name that matches", async () => {
    const out = join(work, "prod-mapped");
    const r = await certform(["import", join(work, "all.zip"), "--env", "prod", "--map-environment", "test=prod", "--out", out]);
    expect(r.code).toBe(0);
    expect(trustedPem(out)).toBe(cas.test.pem);
  });

  it("checks every bundle of the set as a bundle: a changed file in one refuses the import, naming it", async () => {
    const entries = readZip(readFileSync(join(work, "all", "prod.zip")), DEFAULT_LIMITS);
    const pem = [...entries.keys()].find((p) => p.endsWith(".pem"))!;
    entries.set(pem, Buffer.from(entries.get(pem)!.toString("utf8").replace("MII", "MIJ")));
    const dir = join(work, "tampered");
    mkdirSync(dir);
    writeFileSync(join(dir, "test.zip"), readFileSync(join(work, "all", "test.zip")));
    writeFileSync(join(dir, "prod.zip"), await writeZip([...entries]));
    const out = join(work, "from-tampered");
    const r = await certform(["import", dir, "--env", "test", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error[checksum-mismatch] prod.zip: ${pem} does not match its SHA-256 checksum`);
    expect(existsSync(out)).toBe(false);
  });

  it("an Apinizer export with several environments: --env prod takes its prod certificates", async () => {
    const zip = join(work, "apinizer.zip");
    writeFileSync(zip, await writeZip([["backend-ca-test.cer", cas.test.der], ["backend-ca-prod.cer", cas.prod.der]]));
    const out = join(work, "apinizer-prod");
    const r = await certform(["import", zip, "--env", "prod", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Imported an Apinizer certificate export, environment prod");
    expect(readFileSync(join(out, "trusted", "backend-ca.pem"), "utf8")).toBe(cas.prod.pem);
  });
});
