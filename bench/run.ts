// `npm run bench`: every figure of issue 17 in one run on this machine, beside the floor and Terraform
// measured in the same run, written to bench/results/<date>.json and the table in docs/performance.md.
//
// For each count N (1,000 and 10,000 by default): the estate (bench/scale-fixture.ts, generated once and
// cached), the floor (bench/floor.ts, compiled to plain JavaScript so that it pays no transpiler), then the
// compiled CLI exactly as a user runs it: `validate`, a cold `plan --out FILE` against four freshly started
// empty nodes (dev: 2, prod: 2), `apply --auto-approve` of everything (each run on fresh nodes), and `plan`
// when nothing changed (after --warm plans, since a cache may be used); then Terraform with N
// `terraform_data` resources. Then `certform --version` beside `node -e 0`, and bench/gateway.ts and
// bench/handshakes.ts when present, their JSON recorded verbatim. Every figure is the median of --runs
// samples with the command's peak RSS; a failure or timeout is recorded and the run goes on.
// Run: npm run bench [-- --counts 200 --runs 1]   (--help for every option)
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { startNodes, type Nodes } from "./gateways.js";
import { describeMachine, machineLine } from "./machine.js";
import { cleanUpAndWait, cleanUpOnExit, removeDir, tempDir } from "./processes.js";
import { renderSection, updatePerformanceDoc } from "./report.js";
import type { Results, ScaleResults, ScriptResult, TerraformResults } from "./results.js";
import { runOptions } from "./run-options.js";
import { failureLine, figure, median, sample, type Figure, type Sample } from "./sample.js";
import { scaleFixture, scaleStack, type ScaleFixture } from "./scale-fixture.js";
import { stateDifference, synthesizedState, terraformDir, terraformVersion, TF_FLAGS } from "./terraform.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const CERTFORM = join(REPO, "bin/certform.js");
const TSX = join(REPO, "node_modules/.bin/tsx");
const started = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - started) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
const log = (line: string) => process.stdout.write(`[${elapsed().padStart(5)}] ${line}\n`);
const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`);
const mb = (bytes: number | null) => (bytes === null ? "—" : `${Math.round(bytes / 1e6)} MB`);

const options = runOptions(process.argv.slice(2), process.env);
cleanUpOnExit(log);

const tfVersion = options.terraform ? terraformVersion() : null;
const machine = describeMachine(tfVersion);
const notes: string[] = [];
log(`certform bench: counts ${options.counts.join(", ")}, ${options.runs} runs per figure (apply ${options.applyRuns}), timeout ${options.timeoutMs / 1000} s per command, budget ${options.budgetMs / 1000} s`);
log(`machine: ${machineLine(machine)}`);
if (!existsSync(join(REPO, "dist/cli/main.js"))) throw new Error("certform is not built: run npm run build (npm run bench builds first)");
if (!existsSync("/usr/bin/time")) notes.push("/usr/bin/time is missing: peak memory is not measured.");

const cliEnv = { ...process.env, NO_COLOR: "1" };
const certform = (args: string[], cwd: string, extra: { okCodes?: number[]; keepTails?: boolean } = {}) =>
  sample(process.execPath, [CERTFORM, ...args], { cwd, env: cliEnv, timeoutMs: options.timeoutMs, ...extra });

const describe = (s: Sample) => {
  const what = s.ok ? `${seconds(s.ms)}, ${mb(s.peakRssBytes)}` : `FAILED (${s.timedOut ? "timeout" : `exit ${s.exitCode ?? s.signal}`}) after ${seconds(s.ms)}, ${mb(s.peakRssBytes)}`;
  const last = s.ok ? "" : failureLine(s);
  return last ? `${what}: ${last.slice(0, 200)}` : what;
};

/**
 * Up to `runs` samples of one figure. A failed sample is not repeated (failures here are not noise), nor
 * one slower than --repeat-limit, nor any once three quarters of the budget are spent: each says so.
 */
async function repeat(label: string, runs: number, once: (i: number) => Promise<Sample>, seed: Sample[] = []): Promise<Figure> {
  const samples: Sample[] = [...seed];
  const figureNotes: string[] = [];
  for (let i = samples.length; i < runs; i++) {
    if (i > 0) {
      const prev = samples[i - 1]!;
      if (!prev.ok) {
        figureNotes.push(`${prev.timedOut ? "timed out" : "failed"}: not repeated`);
        break;
      }
      if (prev.ms > options.repeatLimitMs) {
        figureNotes.push(`${samples.length} sample${samples.length > 1 ? "s" : ""} instead of ${runs}: one took ${seconds(prev.ms)} (over --repeat-limit ${options.repeatLimitMs / 1000} s), repeating would not fit the budget`);
        break;
      }
      if (Date.now() - started > options.budgetMs * 0.75) {
        figureNotes.push(`${samples.length} sample${samples.length > 1 ? "s" : ""} instead of ${runs}: three quarters of the ${options.budgetMs / 1000} s budget were spent`);
        break;
      }
    }
    const s = await once(i);
    samples.push(s);
    log(`  ${label} ${i + 1}/${runs}: ${describe(s)}`);
  }
  for (const note of figureNotes) log(`  ${label}: ${note}`);
  return figure(samples, figureNotes);
}

/** The floor script compiled to plain JavaScript, so that the floor pays no TypeScript transpiler at start. */
function compileFloor(dir: string): string[] {
  const out = join(dir, "floor.mjs");
  buildSync({ entryPoints: [join(REPO, "bench/floor.ts")], outfile: out, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
  return [out];
}

const clearCache = (work: string) => rmSync(join(work, ".certform"), { recursive: true, force: true });

async function withNodes<T>(root: string, label: string, fn: (nodes: Nodes) => Promise<T>): Promise<T> {
  const dir = join(root, label);
  const nodes = await startNodes(REPO, dir);
  try {
    return await fn(nodes);
  } finally {
    await nodes.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureCertform(fixture: ScaleFixture, work: string, floorScript: string[], result: ScaleResults): Promise<void> {
  const N = fixture.count;
  const stack = join(work, "stack.yaml");
  const writeStack = (nodes: Nodes) => writeFileSync(stack, scaleStack(fixture, nodes));

  result.floor = await repeat(`N=${N} floor`, options.runs, () => sample(process.execPath, [...floorScript, fixture.dir, String(N)], { cwd: work, timeoutMs: options.timeoutMs }));

  const planFiles: number[] = [];
  const planTexts: number[] = [];
  await withNodes(work, "nodes-0", async (nodes) => {
    writeStack(nodes);
    result.validate = await repeat(`N=${N} validate`, options.runs, () => {
      clearCache(work);
      return certform(["validate", stack], work);
    });
    result.plan = await repeat(`N=${N} cold plan --out`, options.runs, async () => {
      clearCache(work);
      const planFile = join(work, "plan.json");
      const s = await certform(["plan", "--out", planFile, stack], work);
      if (existsSync(planFile)) {
        if (s.ok) planFiles.push(statSync(planFile).size);
        rmSync(planFile);
      }
      if (s.ok) planTexts.push(s.stdoutBytes);
      return s;
    });
    clearCache(work);
    const first = await certform(["apply", "--auto-approve", stack], work);
    log(`  N=${N} apply 1/${options.applyRuns}: ${describe(first)}`);
    result.apply = figure([first]);
    if (!first.ok) {
      result.noChangePlan = figure([], ["not measured: the apply before it failed"]);
      return;
    }
    for (let w = 0; w < options.warmRuns; w++) {
      const s = await certform(["plan", "--detailed-exitcode", stack], work, { okCodes: [0] });
      log(`  N=${N} no-change plan, warm-up ${w + 1}/${options.warmRuns}: ${describe(s)}`);
    }
    result.noChangePlan = await repeat(`N=${N} no-change plan`, options.runs, () => certform(["plan", "--detailed-exitcode", stack], work, { okCodes: [0] }));
  });
  result.planFileBytes = median(planFiles);
  result.planTextBytes = median(planTexts);

  // The other applies, each on fresh nodes; the first one (above) counts as the first sample.
  result.apply = await repeat(
    `N=${N} apply`,
    options.applyRuns,
    (i) =>
      withNodes(work, `nodes-${i}`, async (nodes) => {
        writeStack(nodes);
        clearCache(work);
        return certform(["apply", "--auto-approve", stack], work);
      }),
    result.apply.samples,
  );
}

async function measureTerraform(fixture: ScaleFixture, root: string): Promise<TerraformResults> {
  const N = fixture.count;
  const tfNotes: string[] = [];
  if (!options.terraform) return { skipped: "skipped (--no-terraform)", notes: tfNotes };
  if (!tfVersion) return { skipped: "terraform is not installed on this machine: its columns are empty", notes: tfNotes };
  const dir = join(root, "terraform");
  mkdirSync(dir);
  const tf = terraformDir(fixture, dir);
  const terraform = (args: string[], okCodes = [0], timeoutMs = options.timeoutMs) => sample("terraform", args, { cwd: dir, env: tf.env, timeoutMs, okCodes });
  const stateFile = join(dir, "terraform.tfstate");
  const out: TerraformResults = { notes: tfNotes };

  out.init = figure([await terraform(["init", "-input=false", "-no-color"])]);
  log(`  N=${N} terraform init: ${describe(out.init.samples[0]!)}`);
  if (!out.init.ok) return { ...out, skipped: "terraform init failed" };

  out.plan = await repeat(`N=${N} terraform plan`, options.runs, () => terraform(["plan", ...TF_FLAGS]));

  if (N <= options.terraformApplyMax) {
    out.apply = await repeat(`N=${N} terraform apply`, options.terraformApplyRuns, () => {
      rmSync(stateFile, { force: true });
      rmSync(`${stateFile}.backup`, { force: true });
      return terraform(["apply", "-auto-approve", ...TF_FLAGS]);
    });
  } else {
    tfNotes.push(`terraform apply not run at ${N.toLocaleString("en-US")} (over --terraform-apply-max ${options.terraformApplyMax}: 10,000 take over 9 minutes); the no-change plan runs on a written state`);
  }

  const synthesized = synthesizedState(fixture, tfVersion);
  if (out.apply?.ok && existsSync(stateFile)) {
    // Prove the written state equivalent to an applied one: same attributes, and "No changes" against it.
    const applied = readFileSync(stateFile, "utf8");
    const difference = stateDifference(applied, synthesized);
    writeFileSync(stateFile, synthesized);
    const check = await terraform(["plan", "-detailed-exitcode", ...TF_FLAGS], [0]);
    writeFileSync(stateFile, applied);
    out.synthesizedStateCheck = { equivalent: difference === null, difference, planExitCode: check.exitCode, noChanges: check.exitCode === 0 };
    log(`  N=${N} written state beside the applied one: ${difference === null ? "equal (ids aside)" : difference}; terraform plan against it: ${check.exitCode === 0 ? "No changes" : `exit ${check.exitCode}`}`);
    out.noChangeState = "applied";
  } else {
    writeFileSync(stateFile, synthesized);
    out.noChangeState = "synthesized";
  }
  // -detailed-exitcode: exit 2 would mean Terraform saw changes, so the figure would not be "nothing changed".
  // Terraform's no-change plan grows faster than the count (about 4 s of CPU at 1,000, over 4 minutes at
  // 10,000): it is stopped at --terraform-cap, and a stopped run says "over" that, a lower bound.
  const cap = Math.min(options.terraformCapMs, options.timeoutMs);
  out.noChangePlan = await repeat(`N=${N} terraform no-change plan (${out.noChangeState} state)`, options.runs, () => terraform(["plan", "-detailed-exitcode", ...TF_FLAGS], [0], cap));
  if (out.noChangePlan.ms === null && out.noChangePlan.samples.some((x) => x.timedOut)) {
    out.noChangePlan.atLeastMs = cap;
    out.noChangePlan.notes = [`stopped after ${cap / 1000} s (--terraform-cap): Terraform's no-change plan takes longer than that, so the comparison uses ${cap / 1000} s, a lower bound`];
    log(`  N=${N} terraform no-change plan: over ${cap / 1000} s (stopped at --terraform-cap)`);
  }
  return out;
}

async function measureCount(N: number, floorScript: string[]): Promise<ScaleResults> {
  const generation = Date.now();
  const cached = existsSync(join(REPO, "bench/.cache", `estate-${N}`, "done"));
  log(`N=${N}: ${cached ? "certificates cached under bench/.cache" : "generating the certificates (once; cached under bench/.cache)"}`);
  const fixture = await scaleFixture(N, (line) => log(line));
  const empty = figure([], ["not measured"]);
  const result: ScaleResults = {
    count: N,
    fixtureSeconds: Math.round((Date.now() - generation) / 100) / 10,
    floor: empty,
    validate: empty,
    plan: empty,
    planFileBytes: null,
    planTextBytes: null,
    apply: empty,
    noChangePlan: empty,
    terraform: { notes: [] },
    notes: cached ? [] : [`certificates generated in this run (${Math.round((Date.now() - generation) / 1000)} s)`],
  };
  const work = tempDir(`n${N}`);
  try {
    symlinkSync(join(fixture.dir, "certs"), join(work, "certs"));
    try {
      await measureCertform(fixture, work, floorScript, result);
    } catch (err) {
      result.notes.push(`certform measurements stopped: ${(err as Error).message}`);
      log(`  N=${N} certform measurements stopped: ${(err as Error).message}`);
    }
    try {
      result.terraform = await measureTerraform(fixture, work);
    } catch (err) {
      result.terraform = { notes: [`terraform measurements stopped: ${(err as Error).message}`] };
      log(`  N=${N} terraform measurements stopped: ${(err as Error).message}`);
    }
    if (result.terraform.skipped) log(`  N=${N} terraform: ${result.terraform.skipped}`);
  } finally {
    removeDir(work);
  }
  return result;
}

async function runScript(name: string, args: string[]): Promise<ScriptResult | { skipped: string }> {
  const script = join(REPO, "bench", name);
  const command = `npx tsx bench/${name} ${args.join(" ")}`;
  if (!existsSync(script)) {
    log(`${name}: not present, skipped`);
    return { skipped: `bench/${name} is not present` };
  }
  log(`${command} …`);
  const s = await sample(TSX, [script, ...args], { cwd: REPO, timeoutMs: options.timeoutMs * 2, keepStdout: true, keepTails: true });
  const result: ScriptResult = { command, ok: false, ms: s.ms };
  const text = (s.stdout ?? "").trim();
  try {
    if (text) result.json = JSON.parse(text);
  } catch {
    // Some scripts print a line of JSON after other output: take the last line that parses.
    const last = text.split("\n").reverse().find((l) => l.trim().startsWith("{"));
    try {
      if (last) result.json = JSON.parse(last);
    } catch {
      // recorded below
    }
  }
  if (!s.ok) result.error = s.timedOut ? `timeout after ${seconds(s.ms)}` : `exit ${s.exitCode ?? s.signal}`;
  else if (result.json === undefined) result.error = `printed no JSON: ${text.slice(0, 300)}`;
  result.ok = s.ok && result.json !== undefined;
  if (!result.ok) result.stderrTail = s.stderrTail;
  log(`${name}: ${result.ok ? `done in ${seconds(s.ms)}` : `FAILED: ${result.error}; ${failureLine(s)}`}`);
  return result;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const scratch = tempDir("run");
  const floorScript = compileFloor(scratch);

  // Start-up first, while the machine is least busy with this run.
  log(`certform --version beside node -e 0, ${options.versionRuns} runs each`);
  const versionSamples: Sample[] = [];
  const nodeSamples: Sample[] = [];
  for (let i = 0; i < options.versionRuns; i++) {
    nodeSamples.push(await sample(process.execPath, ["-e", "0"], { cwd: scratch, timeoutMs: 30_000 }));
    versionSamples.push(await sample(process.execPath, [CERTFORM, "--version"], { cwd: scratch, timeoutMs: 30_000 }));
  }
  const startup = { version: figure(versionSamples), nodeBaseline: figure(nodeSamples) };
  log(`  certform --version ${seconds(startup.version.ms)}, node -e 0 ${seconds(startup.nodeBaseline.ms)}`);

  const scale: ScaleResults[] = [];
  for (const N of options.counts) scale.push(await measureCount(N, floorScript));

  const maxN = options.counts[options.counts.length - 1]!;
  const gateway = options.gateway ? await runScript("gateway.ts", [String(maxN), `--runs=${options.runs}`, "--json", "--no-build"]) : { skipped: "skipped (--no-gateway)" };
  const handshakes = options.handshakes ? await runScript("handshakes.ts", ["--json", "--no-build", "--runs", String(options.runs)]) : { skipped: "skipped (--no-handshakes)" };

  machine.loadAverageAtEnd = Number(loadavg()[0]!.toFixed(2));
  const finishedAt = new Date();
  const results: Results = {
    date: localDate(startedAt),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    totalSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    budgetSeconds: options.budgetMs / 1000,
    machine,
    settings: { ...options },
    startup,
    scale,
    gateway,
    handshakes,
    notes,
  };
  const section = renderSection(results);
  if (options.write) {
    const dir = join(REPO, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${results.date}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    const doc = join(REPO, "docs/performance.md");
    writeFileSync(doc, updatePerformanceDoc(existsSync(doc) ? readFileSync(doc, "utf8") : null, section));
    log(`wrote bench/results/${results.date}.json and the table in docs/performance.md`);
  } else {
    process.stdout.write(`\n${section}\n`);
  }
  log(`done in ${elapsed()} (budget ${Math.floor(options.budgetMs / 60000)}:${String((options.budgetMs / 1000) % 60).padStart(2, "0")})${Date.now() - started > options.budgetMs ? ": OVER BUDGET" : ""}`);
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

try {
  await main();
} finally {
  await cleanUpAndWait();
}
