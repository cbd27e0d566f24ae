import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/bundle/limits.js";
import { readZip } from "../../src/bundle/zip-read.js";
import { certform, REPO } from "../support/cli.js";
import { api, startGateway, type GatewayProcess } from "../support/gateway.js";
import { certformInProcess as cli } from "../support/in-process.js";
import { keyEchoes, secretOf } from "../support/key-echoes.js";
import { writeFiles } from "../support/pki.js";
import { positionOf } from "../support/stack.js";
import { stackText, type BadInput, type BundleCase, type Files, type StackCase } from "./case.js";
import { CASES, GROUPS } from "./cases/index.js";
import { makeMaterial, type Material } from "./material.js";

// The bad-input catalogue (see README.md): every case of cases/ is refused with exit 1 and an error naming
// the place and the fix, prints no private key, and leaves both gateways exactly as they were (revision
// unchanged). Stack cases run `validate --format json` (the place, exactly), `plan --format json` and
// `apply --auto-approve` against the two real gateways (the same error as the user sees it, nothing
// written); bundle cases run `import --apply`. Commands run through the CLI's own entry point in this
// process, one at a time (a process costs half a second of start-up, more on a busy machine); the first
// stack case and the first bundle case also run as a real `certform` process, which must print the same
// error and exit 1.

let m: Material;
let gateways: GatewayProcess[] = [];
let work: string;
let real: Map<string, Buffer>;
let before: number[];
const savedNoColor = process.env.NO_COLOR;

const revisions = () => Promise.all(gateways.map(async (g) => (await api(g.admin, "GET", "/v1/status")).body.revision as number));

beforeAll(async () => {
  process.env.NO_COLOR = "1";
  work = mkdtempSync(join(tmpdir(), "certform-bad-inputs-"));
  gateways = await Promise.all([startGateway({ environment: "dev", node: "dev-1" }), startGateway({ environment: "prod", node: "prod-1" })]);
  m = await makeMaterial({ dev: gateways[0]!.admin, prod: gateways[1]!.admin, devListen: gateways[0]!.listen });
  // What the gateways hold while the cases run: a case that got through would prune it or add to it.
  const baseline = join(work, "baseline");
  await writeFiles(baseline, {
    "stack.yaml": stackText(m, "certificates:\n  keep:\n    certificate: { file: keep.pem }\n    key: { file: keep.key }\ntrustedCertificates:\n  keep-root: { certificate: { file: root.pem } }\n"),
    "keep.pem": m.pki.chainPem,
    "keep.key": m.pki.leaf.keyPem,
    "root.pem": m.pki.root.pem,
  });
  const applied = await cli(["apply", "--auto-approve", baseline]);
  expect(applied.code, applied.out).toBe(0);
  const exported = await cli(["export", "--env", "dev", "--out", join(work, "real.zip"), baseline]);
  expect(exported.code, exported.out).toBe(0);
  real = readZip(readFileSync(join(work, "real.zip")), DEFAULT_LIMITS);
  before = await revisions();
  expect(before.every((r) => r > 0)).toBe(true);
}, 60_000);

afterAll(async () => {
  if (savedNoColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = savedNoColor;
  await Promise.all(gateways.map((g) => g.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

const matches = (text: string, want: string | RegExp) => (typeof want === "string" ? text.includes(want) : want.test(text));

/** No output of any case holds a private key of the catalogue, in PEM, base64 or hex. */
function expectNoKey(output: string): void {
  expect(output).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  for (const key of m.keys) expect(keyEchoes(output, secretOf(key))).toEqual([]);
}

/** Where the case's error must point: the file as certform names it (relative to the working directory), line, column. */
function place(c: StackCase, dir: string, files: Files): { file: string; line: number; column: number } {
  const e = c.expect;
  const file = e.file ?? "stack.yaml";
  const at = e.at === undefined ? { line: e.line ?? 1, column: e.column ?? 1 } : positionOf(files[file]!.toString(), typeof e.at === "function" ? e.at(m) : e.at, e.nth);
  return { file: relative(process.cwd(), join(dir, file)), ...at };
}

interface ValidateError {
  code: string;
  file: string;
  line: number;
  column: number;
  address: string | null;
  message: string;
  hint: string;
}

async function runStackCase(c: StackCase, spawned: boolean): Promise<void> {
  const dir = mkdtempSync(join(work, `${c.id}-`));
  const files = c.files(m);
  await writeFiles(dir, files);
  const where = place(c, dir, files);
  const e = c.expect;

  const v = await cli(["validate", "--format", "json", dir], c.env);
  expect(v.code, v.out).toBe(1);
  const errors = (JSON.parse(v.out) as { errors: ValidateError[] }).errors;
  const found = errors.find((d) => d.code === e.code);
  expect(found, v.out).toBeDefined();
  expect(`${found!.file}:${found!.line}:${found!.column}`, v.out).toBe(`${where.file}:${where.line}:${where.column}`);
  if (e.address !== undefined) expect(found!.address, v.out).toBe(e.address);
  expect(matches(found!.message, e.message), `message ${JSON.stringify(found!.message)} should have ${e.message}`).toBe(true);
  expect(matches(found!.hint, e.hint), `hint ${JSON.stringify(found!.hint)} should have ${e.hint}`).toBe(true);
  if (e.alone) expect(errors.map((d) => d.code), v.out).toEqual([e.code]);

  // plan --format json: one JSON document holding the same error at the same place.
  const p = await cli(["plan", "--format", "json", dir], c.env);
  expect(p.code, p.out).toBe(1);
  const planned = (JSON.parse(p.out) as { errors: ValidateError[] }).errors.find((d) => d.code === e.code);
  expect(planned && `${planned.file}:${planned.line}:${planned.column}`, p.out).toBe(`${where.file}:${where.line}:${where.column}`);
  expectNoKey(v.out + p.out);

  // What a user sees: apply against the real gateways refuses with the same error and writes nothing.
  const line = `${where.file}:${where.line}:${where.column}: error[${e.code}] ${found!.message}\n`;
  const expectRefused = (code: number | null, out: string) => {
    expect(code, out).toBe(1);
    expect(out).toContain(line);
    expect(out).toContain(`hint: ${found!.hint}`);
    expect(out).toContain("Nothing was changed on any gateway.");
    expect(out).not.toMatch(/error\[internal\]|\n\s+at /);
    expectNoKey(out);
  };
  const a = await cli(["apply", "--auto-approve", dir], c.env);
  expectRefused(a.code, a.out);
  if (spawned) {
    const proc = await certform(["apply", "--auto-approve", dir], { cwd: process.cwd(), env: c.env ?? {} });
    expectRefused(proc.code, proc.stdout + proc.stderr);
  }
  expect(await revisions()).toEqual(before);
}

async function runBundleCase(c: BundleCase, spawned: boolean): Promise<void> {
  const dir = mkdtempSync(join(work, `${c.id}-`));
  const input = join(dir, c.name);
  writeFileSync(input, await c.bundle(m, real));
  const parent = join(dir, "target");
  mkdirSync(parent);
  const args = ["import", input, "--env", "dev", "--out", join(parent, "stack"), "--node", m.gateways.dev, "--apply", "--auto-approve"];
  const expectRefused = (code: number | null, out: string) => {
    expect(code, out).toBe(1);
    expect(out).toContain(`error[${c.expect.code}]`);
    if (c.expect.entry !== undefined) expect(out).toContain(c.expect.entry);
    const [message = "", hint = ""] = out.split("\n  hint: ");
    expect(matches(message, c.expect.message), out).toBe(true);
    expect(matches(hint, c.expect.hint), out).toBe(true);
    expect(out).toContain("Nothing was written.");
    expect(readdirSync(parent)).toEqual([]);
    expectNoKey(out);
  };
  const r = await cli(args);
  expectRefused(r.code, r.out);
  if (spawned) {
    const proc = await certform(args, { cwd: dir });
    expectRefused(proc.code, proc.stdout + proc.stderr);
  }
  expect(await revisions()).toEqual(before);
}

/** The cases that also run as a real process: the first stack case and the first bundle case. */
const spawned = new Set(["stack", "bundle"].map((kind) => CASES.find((c) => c.kind === kind)).filter((c): c is BadInput => c !== undefined));

describe("the bad-input catalogue", () => {
  it("holds at least 60 cases, each with its own id, as many as docs/security.md says", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const ids = CASES.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(readFileSync(join(REPO, "docs", "security.md"), "utf8")).toContain(`| Bad input: ${CASES.length} cases`);
  });

  for (const [group, cases] of Object.entries(GROUPS).filter(([, cases]) => cases.length > 0)) {
    describe(group, () => {
      for (const c of cases) {
        const asProcess = spawned.has(c);
        it(`${c.id}: ${c.title}${asProcess ? " (also as a process)" : ""}`, () => (c.kind === "stack" ? runStackCase(c, asProcess) : runBundleCase(c, asProcess)));
      }
    });
  }

  it("leaves both gateways as they were", async () => {
    expect(await revisions()).toEqual(before);
  });
});
