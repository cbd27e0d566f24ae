import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/model/index.js";
import { readStack } from "../src/stack/index.js";
import { certform, REPO } from "./support/cli.js";
import { issue, makeCa, toPem } from "./support/pki.js";
import { only, positionOf, writeStackDir } from "./support/stack.js";

/** A project that installs certform: its stack files import "certform" by name. */
function tsProject(files: Record<string, string | Buffer>): string {
  const dir = writeStackDir({ "package.json": '{ "type": "module" }\n', ...files });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "certform"), "dir");
  return dir;
}

const HEAD = `import { App, CertformStack, Construct, Endpoint, Environment, Jwk, ServerCertificate, TrustAssignment, TrustedCertificate } from "certform";
const app = new App();
`;
const DEV = `const dev = new Environment(stack, "dev", { gateway: { type: "embedded", nodes: ["http://127.0.0.1:8081"] } });
`;

const at = (d: Diagnostic) => ({ file: d.file, line: d.line, column: d.column });
const shown = (file: string) => relative(process.cwd(), file);

describe("a TypeScript stack, read like a YAML stack", () => {
  it("examples/typescript declares exactly the stack of examples/multi-env", async () => {
    const [ts, yaml] = await Promise.all([
      readStack(["examples/typescript/main.ts"], { capture: false, requireGatewayEnv: false }),
      readStack(["examples/multi-env"], { capture: false, requireGatewayEnv: false }),
    ]);
    expect(ts.diagnostics).toEqual([]);
    expect(yaml.diagnostics).toEqual([]);
    // The merge of a YAML directory keeps the description of its first file only (certificates.yaml has none).
    const { description, ...tsStack } = ts.loaded!.stack;
    expect(description).toBe("Public API, checkout and partner gateways of the payments platform.");
    expect(tsStack).toEqual(yaml.loaded!.stack);
    expect(ts.state!.environments.map((e) => [e.name, e.certificates.length + e.trustedCertificates.length + e.endpoints.length + e.trustAssignments.length + e.jwks.length]))
      .toEqual(yaml.state!.environments.map((e) => [e.name, e.certificates.length + e.trustedCertificates.length + e.endpoints.length + e.trustAssignments.length + e.jwks.length]));
  });

  it("certform validate accepts the example as a file, as a directory with main.ts, and as the app of cdktf.json, and leaves no cdktf.out", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "certform-cwd-"));
    const [text, json] = await Promise.all([
      certform(["validate", join(REPO, "examples/typescript/main.ts"), "--no-capture"], { cwd }),
      certform(["validate", REPO, "--no-capture", "--format", "json"], { cwd }),
    ]);
    // The example's policies pass, with the one exception it declares shown with its reason.
    expect(text.stdout).toMatch(/^Policy exceptions:\n {2}certificates\.checkout\[prod\]: policy strong-keys \(keyTypes\) excepted, reason: older card terminals .*\n.*\nStack payments is valid: 3 environments, 61 resource instances, 0 warnings\.\n$/);
    expect(text.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, stack: "payments", environments: ["dev", "test", "prod"], errors: [] });
    expect(json.code).toBe(0);
    expect(existsSync(join(cwd, "cdktf.out"))).toBe(false);
    for (const path of ["examples/typescript", "cdktf.json"]) {
      const r = await readStack([path], { capture: false, requireGatewayEnv: false });
      expect(r.diagnostics).toEqual([]);
      expect(r.loaded?.name).toBe("payments");
    }
  });

  it("errors name the construct path and point at the prop in the .ts file", async () => {
    const source = `${HEAD}const stack = new CertformStack(app, "payments", {
  variables: { host: { environments: { prod: "api.example.com" } } },
});
const staging = new Environment(stack, "staging", { gateway: { type: "embedded", nodes: ["http://127.0.0.1:8081"] } });
const edge = new Construct(stack, "edge");
new ServerCertificate(edge, "api", {
  environments: ["stagin"],
  generate: { hosts: ["api.example.com"] },
});
const ca = new TrustedCertificate(edge, "ca", { certificate: { url: "https://127.0.0.1:9443" } });
const billing = new Endpoint(edge, "billing", { url: "https://billing.internal" });
new TrustAssignment(edge, "both", {
  certificate: ca,
  endpoint: billing,
  scope: "environment",
});
app.synth();
`;
    const dir = tsProject({ "main.ts": source });
    const file = shown(join(dir, "main.ts"));
    const { diagnostics } = await readStack([join(dir, "main.ts")], { capture: false });
    const byAddress = (address: string) => diagnostics.find((d) => d.address === address)!;

    expect(byAddress("certificates.api")).toMatchObject({
      code: "unknown-environment",
      ...{ file, ...positionOf(source, '"stagin"') },
      message: 'certificates.api: environment "stagin" is not declared (construct payments/edge/api)',
      hint: 'did you mean "staging"?',
    });
    expect(byAddress("trustAssignments.both")).toMatchObject({
      code: "trust-target",
      ...{ file, ...positionOf(source, "scope:") },
      message: "trustAssignments.both: has both endpoint and scope: environment (construct payments/edge/both)",
    });
    expect(at(byAddress("variables.host"))).toEqual({ file, ...positionOf(source, "prod:") });
    expect(byAddress("variables.host").message).toContain("(construct payments)");
    expect(diagnostics).toHaveLength(3);
  });

  it("a prop the model does not have is refused at the prop, as in YAML", async () => {
    const source = `${HEAD}const stack = new CertformStack(app, "payments");
${DEV}new Endpoint(stack, "billing", {
  url: "https://billing.internal",
  // @ts-expect-error not a prop
  colour: "blue",
});
`;
    const dir = tsProject({ "main.ts": source });
    const { diagnostics } = await readStack([join(dir, "main.ts")], { capture: false });
    expect(only(diagnostics, "unknown-key")).toMatchObject({
      file: shown(join(dir, "main.ts")),
      ...positionOf(source, "colour"),
      address: "endpoints.billing",
      message: 'unknown key "colour" in endpoints.billing (construct payments/billing)',
    });
  });

  it("the same name in two scopes is a duplicate that names both places", async () => {
    const source = `${HEAD}const stack = new CertformStack(app, "payments");
${DEV}new Endpoint(new Construct(stack, "a"), "billing", { url: "https://a.internal" });
new Endpoint(new Construct(stack, "b"), "billing", { url: "https://b.internal" });
`;
    const dir = tsProject({ "main.ts": source });
    const file = shown(join(dir, "main.ts"));
    const { diagnostics } = await readStack([join(dir, "main.ts")], { capture: false });
    const d = only(diagnostics, "duplicate-name");
    expect(at(d)).toEqual({ file, ...positionOf(source, "new Endpoint", 2) });
    expect(d.related).toEqual([{ file, ...positionOf(source, "new Endpoint") }]);
    expect(d.message).toContain("(constructs payments/b/billing and payments/a/billing)");
  });

  it("an exception, a syntax error or a missing stack while the file runs is a diagnostic at its line", async () => {
    const throws = `${HEAD}const stack = new CertformStack(app, "payments");
function nodes(): string[] {
  throw new Error("CERTFORM_NODES is not set");
}
new Environment(stack, "dev", { gateway: { type: "embedded", nodes: nodes() } });
`;
    const clash = `${HEAD}const stack = new CertformStack(app, "payments");
new Endpoint(stack, "billing", { url: "https://billing.internal" });
new TrustedCertificate(stack, "billing", { certificate: { url: "https://billing.internal:9443" } });
`;
    const dir = tsProject({ "throws.ts": throws, "syntax.ts": "const app = new App(;\n", "clash.ts": clash, "empty.ts": "export const nothing = 1;\n" });
    const read = async (name: string) => only((await readStack([join(dir, name)], { capture: false })).diagnostics, ({ "throws.ts": "typescript-error", "syntax.ts": "typescript-syntax", "clash.ts": "typescript-error", "empty.ts": "no-certform-stack" } as Record<string, string>)[name]!);

    expect(await read("throws.ts")).toMatchObject({ file: shown(join(dir, "throws.ts")), ...positionOf(throws, "new Error"), message: expect.stringContaining("CERTFORM_NODES is not set") });
    expect(await read("syntax.ts")).toMatchObject({ file: shown(join(dir, "syntax.ts")), line: 1, column: 21 });
    const c = await read("clash.ts");
    expect(c).toMatchObject({ ...positionOf(clash, "new TrustedCertificate"), message: expect.stringContaining("There is already a Construct with name 'billing'") });
    expect(c.hint).toContain("name prop");
    expect(await read("empty.ts")).toMatchObject({ file: shown(join(dir, "empty.ts")), line: 1 });
  });

  it("a stack file that calls process.exit() or never settles its top-level await is an error, not a silent exit", async () => {
    const exits = `${HEAD}const stack = new CertformStack(app, "payments");
if (stack) process.exit(0);
`;
    const hangs = `${HEAD}await new Promise(() => {});
`;
    const dir = tsProject({ "exits.ts": exits, "hangs.ts": hangs });
    const [e, h] = await Promise.all([certform(["validate", join(dir, "exits.ts")], { cwd: dir }), certform(["validate", join(dir, "hangs.ts")], { cwd: dir })]);
    expect(e.code, e.stdout + e.stderr).toBe(1);
    const exitAt = positionOf(exits, "exit(0)");
    expect(e.stdout + e.stderr).toContain(`exits.ts:${exitAt.line}:${exitAt.column}: error[typescript-error] running exits.ts failed: it called process.exit(0)`);
    expect(e.stdout + e.stderr).toContain("don't call process.exit");
    expect(h.code, h.stdout + h.stderr).toBe(1);
    expect(h.stdout + h.stderr).toContain("error[typescript-error] running hangs.ts failed: its top-level await never settled");
  });

  it("an import that cannot be found is reported at the importing line, relative or a package", async () => {
    const relative = `${HEAD}import { nodes } from "./settings.js";
new CertformStack(app, "payments", { description: String(nodes) });
`;
    const pkg = `${HEAD}import { nodes } from "no-such-package";
new CertformStack(app, "payments", { description: String(nodes) });
`;
    const dir = tsProject({ "relative.ts": relative, "pkg.ts": pkg });
    for (const [name, source, spec] of [["relative.ts", relative, "./settings.js"], ["pkg.ts", pkg, "no-such-package"]] as const) {
      const r = await certform(["validate", join(dir, name)], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const where = positionOf(source, spec);
      expect(r.stdout + r.stderr).toContain(`${name}:${where.line}:${where.column}: error[typescript-error]`);
      expect(r.stdout + r.stderr).toContain("cannot be found: fix the path");
    }
  });

  it("file sources are relative to the .ts file, material is read and checked as for YAML, and a key is never inline", async () => {
    const ca = await makeCa();
    const api = await issue({ issuer: ca, hosts: ["api.example.com"] });
    const other = await issue({ issuer: ca, hosts: ["api.example.com"] });
    const source = `${HEAD}const stack = new CertformStack(app, "payments");
${DEV}new ServerCertificate(stack, "api", { certificate: { file: "certs/api.pem" }, key: { file: "certs/api.key" } });
new ServerCertificate(stack, "wrong", { certificate: { file: "certs/api.pem" }, key: { file: "certs/other.key" } });
`;
    const dir = tsProject({ "stack/main.ts": source, "stack/certs/api.pem": toPem([api.certificate, ca.certificate]), "stack/certs/api.key": api.keyPem, "stack/certs/other.key": other.keyPem });
    const cwd = process.cwd();
    const { diagnostics, state } = await readStack([join(dir, "stack")], { capture: false });
    expect(process.cwd()).toBe(cwd);
    expect(only(diagnostics, "key-mismatch")).toMatchObject({ address: "certificates.wrong[dev]", ...positionOf(source, "key:", 2) });
    expect(state!.environments[0]!.certificates[0]!.material!.chain[0]!.fingerprint256).toBe(api.certificate.fingerprint256);

    const inline = `${HEAD}const stack = new CertformStack(app, "payments");
${DEV}new TrustedCertificate(stack, "ca", { certificate: { pem: ${JSON.stringify(api.keyPem)} } });
`;
    const dir2 = tsProject({ "main.ts": inline });
    const r = await readStack([join(dir2, "main.ts")], { capture: false });
    const d = only(r.diagnostics, "key-inline");
    expect(d.address).toBe("trustedCertificates.ca");
    expect(JSON.stringify(r.diagnostics)).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(r.diagnostics)).not.toContain(api.keyPem.split("\n")[1]!);
  });

  it("a cdktf.json's app is the stack; a TypeScript stack goes alone; YAML directories stay YAML", async () => {
    const source = `${HEAD}const stack = new CertformStack(app, "payments");
${DEV}app.synth();
`;
    const dir = tsProject({ "infra/main.ts": source, "cdktf.json": JSON.stringify({ language: "typescript", app: "npx tsx infra/main.ts" }), "other/cdktf.json": '{ "app": "python3 main.py" }' });
    expect((await readStack([dir], { capture: false })).loaded?.name).toBe("payments");
    expect(only((await readStack([join(dir, "other")], { capture: false })).diagnostics, "cdktf-app")).toMatchObject({ file: shown(join(dir, "other", "cdktf.json")), line: 1, column: 3 });
    expect(only((await readStack([join(dir, "infra", "main.ts"), join(REPO, "examples", "multi-env")], { capture: false })).diagnostics, "stack-mixed").file).toBe(join(dir, "infra", "main.ts"));
    // A directory with YAML files is a YAML stack even with a main.ts beside them.
    const yaml = writeStackDir({ "stack.yaml": readFileSync(join(REPO, "examples", "multi-env", "stack.yaml"), "utf8"), "main.ts": "throw new Error('not run');\n" });
    expect((await readStack([yaml], { capture: false })).loaded?.name).toBe("payments");
    writeFileSync(join(dir, "unused.txt"), "");
  });
});
