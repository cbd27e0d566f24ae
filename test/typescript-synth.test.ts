import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStack } from "../src/stack/index.js";
import { certform, REPO } from "./support/cli.js";
import { makeCa } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

const EXAMPLE = join(REPO, "examples", "typescript", "main.ts");
const OUT = join("cdktf.out", "stacks", "payments", "cdk.tf.json");

/** A project that installs certform (and cdktf, for stacks that mix in other Terraform resources). */
function tsProject(files: Record<string, string | Buffer>): string {
  const dir = writeStackDir({ "package.json": '{ "type": "module" }\n', ...files });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "certform"), "dir");
  symlinkSync(join(REPO, "node_modules", "cdktf"), join(dir, "node_modules", "cdktf"), "dir");
  return dir;
}

type NullResources = Record<string, { triggers: Record<string, string> }>;
const nullResources = (json: string): NullResources => (JSON.parse(json) as { resource: { null_resource: NullResources } }).resource.null_resource;

describe("certform synth", () => {
  it("writes cdktf.out/stacks/payments/cdk.tf.json: one null_resource per instance and policy, byte-identical, no absolute path, no key; as `cdktf synth` does", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "certform-synth-"));
    const first = await certform(["synth", EXAMPLE], { cwd });
    expect(first.stdout).toBe(`Synthesized stack payments: ${OUT} (69 null_resources)\n`);
    expect(first.code).toBe(0);
    const bytes = readFileSync(join(cwd, OUT));
    expect((await certform(["synth", EXAMPLE], { cwd, env: { CERTFORM_TEST_TOKEN: "other", CERTFORM_EXAMPLE_DEV_NODES: "http://127.0.0.1:1" } })).code).toBe(0);
    expect(readFileSync(join(cwd, OUT)).equals(bytes)).toBe(true);

    const text = bytes.toString("utf8");
    for (const file of [OUT, join("cdktf.out", "manifest.json")]) {
      const content = readFileSync(join(cwd, file), "utf8");
      expect(content).not.toContain(cwd);
      expect(content).not.toContain(REPO);
      expect(content).not.toMatch(/"\/(tmp|home|work|Users)\//);
    }
    expect(text).not.toContain("PRIVATE KEY");
    const tf = JSON.parse(text) as { terraform: { backend: { local: { path: string } } } };
    expect(tf.terraform.backend.local.path).toBe("terraform.payments.tfstate");

    const resources = nullResources(text);
    const { state } = await readStack([EXAMPLE], { capture: false, requireGatewayEnv: false });
    const addresses = state!.environments.flatMap((e) => [...e.certificates, ...e.trustedCertificates, ...e.endpoints, ...e.trustAssignments, ...e.jwks].map((i) => i.address));
    // The example's eight policies: a changed rule shows in `terraform plan` too.
    addresses.push(...["strong-keys", "short-lived", "enough-left", "prod-hosts", "no-wildcards-in-prod", "no-sha1", "backend-trust", "token-algorithms"].map((n) => `policies.${n}`));
    expect(Object.values(resources).map((r) => r.triggers.address).sort()).toEqual(addresses.sort());
    for (const r of Object.values(resources)) {
      expect(Object.keys(r.triggers).sort()).toEqual(["address", "content_sha256"]);
      expect(r.triggers.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(resources["certificates_api_prod"]!.triggers.address).toBe("certificates.api[prod]");

    // cdktf.json's app, run as `cdktf synth` runs it, writes the same bytes.
    const cdktfCwd = mkdtempSync(join(tmpdir(), "certform-cdktf-"));
    const run = spawnSync(process.execPath, [join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), EXAMPLE], { cwd: cdktfCwd, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(readFileSync(join(cdktfCwd, OUT)).equals(bytes)).toBe(true);
    expect(JSON.parse(readFileSync(join(REPO, "cdktf.json"), "utf8")).app).toBe("npx tsx examples/typescript/main.ts");
    // Several synths, each a tsx process (and cdktf's own): on a loaded 2-core machine this passes 30 s.
  }, 90_000);

  it("hashes content: a changed certificate file changes its instances' hash only; an invalid stack writes nothing", async () => {
    const [one, two] = await Promise.all([makeCa({ subject: "CN=One" }), makeCa({ subject: "CN=Two" })]);
    const source = `import { App, CertformStack, Endpoint, Environment, TrustAssignment, TrustedCertificate } from "certform";
import { TerraformStack, TerraformOutput } from "cdktf";
const app = new App();
const stack = new CertformStack(app, "payments");
new Environment(stack, "dev", { gateway: { type: "embedded", nodes: ["http://127.0.0.1:8081"] } });
const ca = new TrustedCertificate(stack, "ca", { certificate: { file: "ca.pem" } });
const billing = new Endpoint(stack, "billing", { url: "https://billing.internal" });
new TrustAssignment(stack, "billing-backend", { certificate: ca, endpoint: billing });
// Other Terraform in the same app: certform reads only its own constructs.
const other = new TerraformStack(app, "network");
new TerraformOutput(other, "vpc", { value: "vpc-123" });
app.synth();
`;
    const dir = tsProject({ "cdktf.json": '{ "app": "npx tsx main.ts" }', "main.ts": source, "ca.pem": one.pem });
    expect((await certform(["synth"], { cwd: dir })).code).toBe(0);
    const before = nullResources(readFileSync(join(dir, OUT), "utf8"));
    expect(existsSync(join(dir, "cdktf.out", "stacks", "network", "cdk.tf.json"))).toBe(true);
    expect((await certform(["validate", dir, "--no-capture"])).code).toBe(0);

    writeFileSync(join(dir, "ca.pem"), two.pem);
    expect((await certform(["synth", "main.ts"], { cwd: dir })).code).toBe(0);
    const after = nullResources(readFileSync(join(dir, OUT), "utf8"));
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after["trustedCertificates_ca_dev"]!.triggers.content_sha256).not.toBe(before["trustedCertificates_ca_dev"]!.triggers.content_sha256);
    expect(after["endpoints_billing_dev"]).toEqual(before["endpoints_billing_dev"]);

    writeFileSync(join(dir, "main.ts"), source.replace("endpoint: billing }", 'endpoint: billing, scope: "environment" }'));
    const bad = await certform(["synth", "main.ts", "--format", "json"], { cwd: dir });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { stacks: unknown[]; errors: { code: string; file: string; line: number; message: string }[] };
    expect(report.stacks).toEqual([]);
    expect(report.errors).toMatchObject([{ code: "trust-target", file: "main.ts", line: 8, message: expect.stringContaining("(construct payments/billing-backend)") }]);
    expect(nullResources(readFileSync(join(dir, OUT), "utf8"))).toEqual(after);
  }, 90_000);

  it("refuses what is not a TypeScript stack", async () => {
    const r = await certform(["synth", "examples/multi-env"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[not-typescript] examples/multi-env is not a TypeScript stack");
  });
});
