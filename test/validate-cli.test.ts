import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureMaterial } from "../src/quickstart/material.js";
import { ValidateReportSchema } from "../src/model/validate-report.js";
import { certform, REPO } from "./support/cli.js";
import { leaf } from "./support/pki.js";
import { ENVIRONMENTS, HEADER, positionOf, writeStackDir } from "./support/stack.js";

describe("certform --version", () => {
  it("prints certform's own version, run from another project's directory with npm's variables set", async () => {
    const own = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")).version;
    const elsewhere = mkdtempSync(join(tmpdir(), "certform-version-"));
    try {
      for (const args of [["--version"], ["-V"], ["validate", "--version"]]) {
        const r = await certform(args, { cwd: elsewhere, env: { npm_package_version: "1.0.0" } });
        expect(r).toMatchObject({ code: 0, stdout: `${own}\n` });
      }
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe("certform validate", () => {
  it("exits 0 on a valid stack and says what it checked", async () => {
    const dir = writeStackDir({ "stack.yaml": `${HEADER}${ENVIRONMENTS}certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n` });
    const r = await certform(["validate", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Stack payments is valid: 2 environments, 2 resource instances, 0 warnings.");
  });

  it("exits 1 on errors and prints file:line:column, the code, the address and the hint", async () => {
    const other = await leaf({ hosts: ["api.example.com"] });
    const mine = await leaf({ hosts: ["api.example.com"] });
    const text = `${HEADER}${ENVIRONMENTS}certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key }\n`;
    const dir = writeStackDir({ "stack.yaml": text, "api.pem": mine.pem, "api.key": other.keyPem });
    const r = await certform(["validate", dir], { cwd: dir });
    expect(r.code).toBe(1);
    const { line, column } = positionOf(text, "key:");
    expect(r.stdout).toContain(`stack.yaml:${line}:${column}: error[key-mismatch] certificates.api[dev]:`);
    expect(r.stdout).toMatch(/\n {2}hint: /);
    expect(r.stdout).toContain("Invalid: 1 error, 0 warnings.");
    expect(r.stdout + r.stderr).not.toContain("PRIVATE KEY");
  });

  it("--format json prints exactly one document with errors and warnings", async () => {
    const text = `${HEADER}${ENVIRONMENTS}certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    hots: []\n`;
    const dir = writeStackDir({ "stack.yaml": text });
    const r = await certform(["validate", "--format", "json", join(dir, "stack.yaml")]);
    expect(r.code).toBe(1);
    const report = ValidateReportSchema.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ format_version: "1", valid: false, warnings: [] });
    expect(report.errors).toEqual([
      expect.objectContaining({ ...positionOf(text, "hots:"), address: "certificates.api", code: "unknown-key", hint: 'did you mean "hosts"?' }),
    ]);
    expect(report.errors[0]?.file).toMatch(/stack\.yaml$/);
  });

  it("a dangling link in a stack directory is reported, in JSON too", async () => {
    const dir = writeStackDir({ "stack.yaml": `${HEADER}${ENVIRONMENTS}` });
    symlinkSync(join(dir, "nowhere.yaml"), join(dir, "broken.yaml"));
    const r = await certform(["validate", "--format", "json", dir]);
    expect(r.code).toBe(1);
    const report = ValidateReportSchema.parse(JSON.parse(r.stdout));
    expect(report.errors[0]).toMatchObject({ code: "path-not-found", address: null });
    expect(report.errors[0]?.message).toContain("broken.yaml is a link to nothing");
  });

  it("--format markdown renders a table for a pull request", async () => {
    const text = `${HEADER}${ENVIRONMENTS}certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    hots: []\n`;
    const dir = writeStackDir({ "stack.yaml": text });
    const r = await certform(["validate", "--format", "markdown", dir], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("### ❌ certform validate");
    expect(r.stdout).toContain("| error | `stack.yaml:");
    expect(r.stdout).toContain("`unknown-key`");
  });

  it("a missing path is an error naming it", async () => {
    const r = await certform(["validate", "no/such/stack.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("no such file or directory: no/such/stack.yaml");
  });

  it("validates the quickstart stack and the examples shipped with the repository", async () => {
    // stacks/quickstart.yaml reads the key material npm start makes (never committed): make it first, aside.
    const material = mkdtempSync(join(tmpdir(), "certform-quickstart-"));
    try {
      await ensureMaterial(material);
      const r = await certform(["validate"], { env: { CERTFORM_QUICKSTART_DIR: material } });
      expect(r.code, r.stdout).toBe(0);
    } finally {
      rmSync(material, { recursive: true, force: true });
    }
    const ex = await certform(["validate", "examples/multi-env"]);
    expect(ex.stdout).toContain("is valid");
    expect(ex.code).toBe(0);
  });
});

describe("certform init", () => {
  it("scaffolds a stack repository that validates, with the schema modeline and .gitignore entries", async () => {
    const dir = writeStackDir({ ".gitignore": "node_modules/\n" });
    const r = await certform(["init", dir]);
    expect(r.code).toBe(0);
    const stack = readFileSync(join(dir, "stacks", "example.yaml"), "utf8");
    expect(stack.split("\n")[0]).toBe("# yaml-language-server: $schema=../schemas/stack.schema.json");
    expect(JSON.parse(readFileSync(join(dir, "schemas", "stack.schema.json"), "utf8")).properties.certificates).toBeDefined();
    const ignore = readFileSync(join(dir, ".gitignore"), "utf8");
    expect(ignore).toContain("node_modules/\n");
    for (const line of [".certform/", "*.key", "*.p12"]) expect(ignore).toContain(line);
    const v = await certform(["validate", join(dir, "stacks")]);
    expect(v.stdout).toContain("is valid");
    expect(v.code).toBe(0);
    // A second init keeps the user's stack.
    expect((await certform(["init", dir])).stdout).toContain("kept");
  });

  it("names the stack after DIR (or --name), merges npm scripts into an existing package.json, and writes the CI workflow with --ci", async () => {
    const root = writeStackDir({});
    const dir = join(root, "edge gateways");
    mkdirSync(dir);
    const existing = '{\n    "name": "infra",\n    "scripts": { "plan": "make plan" },\n    "devDependencies": { "certform": "^0.1.0" }\n}\n';
    writeFileSync(join(dir, "package.json"), existing);
    const r = await certform(["init", "edge gateways", "--ci"], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("updated  edge gateways/package.json");
    expect(r.stdout).toContain("created  edge gateways/.github/workflows/certform.yml");
    expect(r.stdout).toContain('run: cd "edge gateways" && npm install && npm run validate');
    expect(readFileSync(join(dir, "stacks", "example.yaml"), "utf8")).toMatch(/^name: edge-gateways +# certform only ever changes/m);
    const pkg = readFileSync(join(dir, "package.json"), "utf8");
    // The user's script and indentation stay; only what was missing is added.
    expect(JSON.parse(pkg)).toEqual({ name: "infra", scripts: { plan: "make plan", validate: "certform validate", apply: "certform apply" }, devDependencies: { certform: "^0.1.0" } });
    expect(pkg).toContain('\n    "scripts": {');
    expect(readFileSync(join(dir, ".github", "workflows", "certform.yml"), "utf8")).toBe(readFileSync(join(REPO, "examples", "ci", "certform.yml"), "utf8"));

    const named = await certform(["init", "other", "--name", "payments"], { cwd: root });
    expect(named.code).toBe(0);
    expect(readFileSync(join(root, "other", "stacks", "example.yaml"), "utf8")).toMatch(/^name: payments +#/m);
    expect(JSON.parse(readFileSync(join(root, "other", "package.json"), "utf8"))).toMatchObject({ name: "payments", private: true, scripts: { validate: "certform validate", plan: "certform plan", apply: "certform apply" } });
    expect((await certform(["validate", join(root, "other", "stacks")])).code).toBe(0);

    const bad = await certform(["init", "third", "--name", "no spaces"], { cwd: root });
    expect(bad.stderr).toContain('--name "no spaces" is not a stack name');
    expect(bad.code).toBe(1);
    expect(existsSync(join(root, "third"))).toBe(false);
  });
});
