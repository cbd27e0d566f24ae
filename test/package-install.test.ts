import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform, REPO } from "./support/cli.js";
import { handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { makePki } from "./support/pki.js";
import { installTarball, packRepository, run, type Packed } from "./support/scratch-install.js";

// Issue 22: certform as its users get it. The project is packed as a release is (npm pack, prepack's build),
// the tarball installed into a project outside the repository with npm, and everything below runs there
// through that project's node_modules: the CLI, a YAML stack against a real embedded gateway node, and
// TypeScript stacks that import "certform" by name.
const OWN_VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const NOT_SHIPPED = /(^|\/)(test|tests|__tests__|fixtures?|bench|scripts|src|stacks)\/|\.test\.|\.spec\.|(^|\/)vitest\.config|(^|\/)tsconfig/;

let packed: Packed;
let user: string;
let install: Awaited<ReturnType<typeof installTarball>>["install"];
let bin: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  packed = await packRepository();
  ({ dir: user, install } = await installTarball(packed.tarball, { type: "module", allowScripts: { esbuild: false } }));
  bin = join(user, "node_modules", "certform", "bin", "certform.js");
}, 240_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  for (const dir of [packed?.source, packed && dirname(packed.tarball), user]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const STACK_HEAD = `import { App, CertformStack, Endpoint, Environment, ServerCertificate, TrustAssignment, TrustedCertificate } from "certform";

const app = new App();
const stack = new CertformStack(app, "edge", { alerts: { warnBefore: "7d", criticalBefore: "1d" } });
new Environment(stack, "dev", { gateway: { type: "embedded", nodes: ["http://127.0.0.1:8081"] } });
`;
const STACK_BODY = `const ca = new TrustedCertificate(stack, "billing-ca", { certificate: { file: "certs/ca.pem" } });
const billing = new Endpoint(stack, "billing", { url: "https://billing.internal:9443" });
new TrustAssignment(stack, "billing-backend", { certificate: ca, endpoint: billing });
new ServerCertificate(stack, "api", { certificate: { file: "certs/api.pem" }, key: { file: "certs/api.key" } });
app.synth();
`;
const STRICT_TSCONFIG = {
  compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: false, types: [] },
};

/** A TypeScript stack project in `dir` under the user's project: main.ts, its certificates and a strict tsconfig. */
async function writeTypeScriptStack(dir: string, manifest: Record<string, unknown>): Promise<void> {
  mkdirSync(join(dir, "certs"), { recursive: true });
  const pki = await makePki({ hosts: ["api.example.com"] });
  writeFileSync(join(dir, "certs", "ca.pem"), pki.root.pem);
  writeFileSync(join(dir, "certs", "api.pem"), pki.chainPem);
  writeFileSync(join(dir, "certs", "api.key"), pki.leaf.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest)}\n`);
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify({ ...STRICT_TSCONFIG, include: ["*.ts"] })}\n`);
  writeFileSync(join(dir, "main.ts"), STACK_HEAD + STACK_BODY);
}

describe("certform installed from its packed tarball", { timeout: 120_000 }, () => {
  it("the tarball holds the build, bin, schemas, the CI template, README and LICENSE, and no test, fixture or bench file", async () => {
    for (const f of ["dist/cli/main.js", "dist/constructs/index.js", "dist/constructs/index.d.ts", "dist/constructs/index.js.map", "bin/certform.js", "schemas/stack.schema.json", "examples/ci/certform.yml", "README.md", "LICENSE", "package.json"]) {
      expect(packed.files, f).toContain(f);
    }
    expect(packed.files.filter((f) => NOT_SHIPPED.test(f))).toEqual([]);
    // The dry run a maintainer checks before publishing lists the same files.
    const dry = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], packed.source);
    expect(dry.code, dry.stderr).toBe(0);
    const listed = (JSON.parse(dry.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    expect(listed.filter((f) => NOT_SHIPPED.test(f))).toEqual([]);
    expect([...listed].sort()).toEqual([...packed.files].sort());

    // The installed manifest: publishable, and no `prepare` (it would run tsc in the user's install).
    const manifest = JSON.parse(readFileSync(join(user, "node_modules", "certform", "package.json"), "utf8")) as Record<string, any>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.license).toBe("Apache-2.0");
    expect(manifest.dependencies.tsx).toBeUndefined();
    expect(manifest.peerDependenciesMeta.tsx.optional).toBe(true);
    // postpack put the packed copy's package.json back as it was.
    expect(readFileSync(join(packed.source, "package.json"), "utf8")).toBe(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(existsSync(join(packed.source, ".package.json.prepack"))).toBe(false);
  });

  it("without tsx (an optional peer), nothing with an install script is installed, YAML stacks work and a TypeScript stack fails with tsx-missing", async () => {
    const bare = await installTarball(packed.tarball, { type: "module" }, { tsx: false });
    try {
      expect(bare.install.stderr).not.toMatch(/warn/i);
      expect(existsSync(join(bare.dir, "node_modules", "esbuild"))).toBe(false);
      const bareBin = join(bare.dir, "node_modules", "certform", "bin", "certform.js");
      expect((await certform(["init", "."], { bin: bareBin, cwd: bare.dir })).code).toBe(0);
      const yaml = await certform(["validate"], { bin: bareBin, cwd: bare.dir });
      expect(yaml.stdout).toContain("is valid");
      await writeTypeScriptStack(join(bare.dir, "infra"), { type: "module" });
      const ts = await certform(["validate", "infra/main.ts"], { bin: bareBin, cwd: bare.dir });
      expect(ts.stdout).toContain("infra/main.ts:1:1: error[tsx-missing] tsx is not installed");
      expect(ts.stdout).toContain("npm install --save-dev tsx");
      expect(ts.code).toBe(1);
    } finally {
      rmSync(bare.dir, { recursive: true, force: true });
    }
  });

  it("installs without a warning of certform's, and `certform --version` there prints certform's version, not the project's", async () => {
    expect(install.stderr).not.toMatch(/warn/i);
    const npx = await run("npx", ["--offline", "certform", "--version"], user);
    expect(npx.stdout).toBe(`${OWN_VERSION}\n`);
    expect(npx.code).toBe(0);
    const help = await run("npx", ["--offline", "certform", "--help"], user);
    expect(help.stdout).toContain("init");
  });

  it("init names the stack after its directory and adds the npm scripts; validate, plan and apply work against a real embedded node", async () => {
    const gw = await startGateway({ bin, environment: "dev", node: "dev-1" });
    gateways.push(gw);
    const init = await certform(["init", "gw", "--ci"], { bin, cwd: user });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("created  gw/package.json");
    expect(init.stdout).toContain("created  gw/.github/workflows/certform.yml");
    const repo = join(user, "gw");
    const stackFile = join(repo, "stacks", "example.yaml");
    expect(readFileSync(stackFile, "utf8")).toMatch(/^name: gw +#/m);
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts).toEqual({ validate: "certform validate", plan: "certform plan", apply: "certform apply" });
    expect(readFileSync(join(repo, ".github", "workflows", "certform.yml"), "utf8")).toContain("npx certform apply certform.plan --auto-approve");

    // The example's dev environment, pointed at the running node.
    writeFileSync(stackFile, readFileSync(stackFile, "utf8").replace('nodes: ["http://127.0.0.1:8081"]', `nodes: ["${gw.admin}"]`));
    const validate = await run("npm", ["run", "-s", "validate"], repo);
    expect(validate.stdout).toContain("Stack gw is valid");
    expect(validate.code, validate.stderr).toBe(0);

    const plan = await certform(["plan", "--env", "dev", "--detailed-exitcode"], { bin, cwd: repo });
    expect(plan.stdout).toContain("certificates.dev-wildcard[dev]");
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    const apply = await run("npm", ["run", "-s", "apply", "--", "--env", "dev", "--auto-approve"], repo);
    expect(apply.stdout).toContain("Apply complete!");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const served = await handshake(gw.listenPort, "shop.dev.example.com");
    expect(served.subjectaltname).toContain("DNS:*.dev.example.com");
    const again = await certform(["plan", "--env", "dev", "--detailed-exitcode"], { bin, cwd: repo });
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("a TypeScript stack importing from \"certform\" type-checks with a strict tsconfig, validates and synthesizes; its paths start at its file", async () => {
    const dir = join(user, "infra");
    await writeTypeScriptStack(dir, { type: "module" });
    const tsc = await run(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "."], dir);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);

    // From the project's root: certs/… are next to infra/main.ts, not under the working directory.
    const validate = await certform(["validate", "infra/main.ts"], { bin, cwd: user });
    expect(validate.stdout).toBe("Stack edge is valid: 1 environment, 4 resource instances, 0 warnings.\n");
    expect(validate.code, validate.stderr).toBe(0);
    const synth = await certform(["synth", "main.ts"], { bin, cwd: dir });
    expect(synth.stdout).toBe(`Synthesized stack edge: ${join("cdktf.out", "stacks", "edge", "cdk.tf.json")} (4 null_resources)\n`);
    expect(synth.code, synth.stderr).toBe(0);
    expect(readFileSync(join(dir, "cdktf.out", "stacks", "edge", "cdk.tf.json"), "utf8")).toContain("certificates.api[dev]");

    // An error still points at the user's line, through the installed package's frames.
    writeFileSync(join(dir, "bad.ts"), `${STACK_HEAD}new ServerCertificate(stack, "api", { certificate: { file: "certs/missing.pem" }, key: { file: "certs/api.key" } });\n`);
    const bad = await certform(["validate", "infra/bad.ts"], { bin, cwd: user });
    expect(bad.stdout).toMatch(/^infra\/bad\.ts:6:\d+: error\[file-not-found\] certificates\.api\[dev\]: file certs\/missing\.pem does not exist/m);
    expect(bad.code).toBe(1);
  });

  it("a project with certform linked (npm link: a symlink to a built checkout) runs its TypeScript stack from another directory", async () => {
    const dir = join(user, "linked");
    await writeTypeScriptStack(dir, { type: "module" });
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(packed.source, join(dir, "node_modules", "certform"), "dir");
    const validate = await certform(["validate", "linked/main.ts"], { bin: join(dir, "node_modules", "certform", "bin", "certform.js"), cwd: user });
    expect(validate.stdout).toBe("Stack edge is valid: 1 environment, 4 resource instances, 0 warnings.\n");
    expect(validate.code, validate.stderr).toBe(0);
  });

  it("a CommonJS project (no \"type\": \"module\") runs its TypeScript stack too", async () => {
    const dir = join(user, "infra-cjs");
    await writeTypeScriptStack(dir, { name: "infra-cjs", private: true });
    const tsc = await run(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "."], dir);
    expect(tsc.stdout + tsc.stderr).toBe("");
    const validate = await certform(["validate", "infra-cjs/main.ts"], { bin, cwd: user });
    expect(validate.stdout).toBe("Stack edge is valid: 1 environment, 4 resource instances, 0 warnings.\n");
    expect(validate.code, validate.stderr).toBe(0);
    const synth = await certform(["synth", "main.ts"], { bin, cwd: dir });
    expect(synth.code, synth.stdout + synth.stderr).toBe(0);
  });
});
