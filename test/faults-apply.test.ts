import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform, REPO, type CliResult } from "./support/cli.js";
import { faultProxy, lockOf, sleep, storedObjects, type Fault, type FaultProxy } from "./support/faults.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// Faults around a real `certform apply`: the CLI killed mid-apply, two applies at once, a node down, and a
// gateway that answers slowly, with 5xx or by dropping connections (a real proxy in front of a real gateway).

let dev: GatewayProcess;
let prod1: GatewayProcess;
let prod2: GatewayProcess;
const proxies: FaultProxy[] = [];
let files: Record<string, string>;

beforeAll(async () => {
  const ca = await makeCa();
  const api = await issue({ issuer: ca, hosts: ["api.example.com"] });
  files = { "ca.pem": ca.pem, "api.pem": toPem([api.certificate, ca.certificate]), "api.key": api.keyPem };
  [dev, prod1, prod2] = await Promise.all([startGateway({ environment: "dev", node: "dev-1" }), startGateway({ environment: "prod", node: "prod-1" }), startGateway({ environment: "prod", node: "prod-2" })]);
});
afterAll(async () => {
  for (const p of proxies) p.close();
  await Promise.all([dev?.stop(), prod1?.stop(), prod2?.stop()]);
});

/** A stack over the given environments' node URLs; `tag` changes an endpoint, so that each apply has work. */
function stack(envs: Record<string, string[]>, tag: string, gateway = ""): string {
  const environments = Object.entries(envs)
    .map(([name, nodes]) => `  ${name}: { gateway: { type: embedded, nodes: [${nodes.map((n) => `"${n}"`).join(", ")}]${gateway} } }`)
    .join("\n");
  return `apiVersion: certform/v1
kind: Stack
name: faults
environments:
${environments}
certificates:
  api: { certificate: { file: api.pem }, key: { file: api.key } }
  gen: { generate: { hosts: ["gen.example.com"] } }
trustedCertificates:
  ca: { certificate: { file: ca.pem } }
endpoints:
  billing: { url: "https://billing-${tag}.internal:9443" }
trustAssignments:
  billing: { certificate: ca, endpoint: billing }
`;
}

const stackDir = (text: string): string => writeStackDir({ ...files, "stack.yaml": text });
const rewrite = (dir: string, text: string) => writeFileSync(join(dir, "stack.yaml"), text);
/** Everything a run printed: without --format json, reports go to stdout and errors to stderr. */
const said = (r: CliResult): string => r.stdout + r.stderr;
const revision = async (admin: string): Promise<number> => (await api(admin, "GET", "/v1/status")).body.revision;

async function proxy(target: string, fault: (req: IncomingMessage) => Fault | Promise<Fault>): Promise<FaultProxy> {
  const p = await faultProxy(target, fault);
  proxies.push(p);
  return p;
}

/** `certform ARGS` as a child process that the test can kill; `done` resolves with what it printed. */
function spawnCertform(args: string[]): { pid: number; running(): boolean; kill9(): void; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [join(REPO, "bin", "certform.js"), ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, running: () => child.exitCode === null && child.signalCode === null, kill9: () => child.kill("SIGKILL"), done };
}

/** The stack converged: apply succeeded, and a new plan shows no changes. */
async function expectConverged(dir: string, why: string): Promise<void> {
  const plan = await certform(["plan", dir, "--detailed-exitcode"]);
  expect(plan.code, `${why}: ${plan.stdout.slice(-1500)}${plan.stderr.slice(-1500)}`).toBe(0);
  expect(plan.stdout).toContain("No changes.");
}

describe("certform killed (kill -9) in the middle of an apply", () => {
  it("leaves the lock, which a second apply reports with its holder at once; force-unlock frees it and a re-run converges", async () => {
    // prod-2's writes are held back, so that the kill lands after prod-1 was written and before prod-2 was.
    let slow = true;
    const slow2 = await proxy(prod2.admin, (req) => (slow && req.method === "POST" && req.url === "/v1/batch" ? { delayMs: 1500 } : undefined));
    const nodes = [prod1.admin, slow2.url];
    const dir = stackDir(stack({ prod: nodes }, "killed"));
    const before = await revision(prod1.admin);
    const applying = spawnCertform(["apply", dir, "--auto-approve"]);
    while ((await revision(prod1.admin)) === before && applying.running()) await sleep(10);
    expect(applying.running(), "apply ended before it wrote prod-1").toBe(true);
    applying.kill9();
    const killed = await applying.done;
    expect(killed.code).toBeNull();
    slow = false;

    const holder = `certform apply by`;
    const lock = await lockOf(prod1.admin);
    expect(lock?.holder).toContain(holder);
    expect(lock?.holder).toContain(`(pid ${applying.pid})`);
    const second = await certform(["apply", dir, "--auto-approve", "--format", "json"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`prod is locked by ${lock!.holder}`);
    expect(second.stderr).toContain("certform force-unlock prod");
    expect(JSON.parse(second.stdout).error).toMatchObject({ code: "locked", holder: lock!.holder });

    const unlocked = await certform(["force-unlock", "prod", dir]);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain(`released the lock of ${lock!.holder}`);
    const rerun = await certform(["apply", dir, "--auto-approve"]);
    expect(rerun.code, rerun.stdout.slice(-2000) + rerun.stderr).toBe(0);
    await expectConverged(dir, "after force-unlock");
    expect(await lockOf(prod1.admin)).toBeNull();
    expect(await lockOf(prod2.admin)).toBeNull();
  }, 120_000);
});

describe("two applies started together on one environment", () => {
  it("exactly one proceeds; the other fails at once, naming the holder, and writes nothing", async () => {
    // Batches to prod-1 are held back so that the winner surely holds the lock while the other asks for it.
    const slow1 = await proxy(prod1.admin, (req) => (req.method === "POST" && req.url === "/v1/batch" ? { delayMs: 1500 } : undefined));
    const dir = stackDir(stack({ prod: [slow1.url, prod2.admin] }, "together"));
    const runs = [spawnCertform(["apply", dir, "--auto-approve"]), spawnCertform(["apply", dir, "--auto-approve"])];
    const results = await Promise.all(runs.map((r) => r.done));
    const winner = results.findIndex((r) => r.code === 0);
    expect(results.map((r) => r.code).sort(), results.map((r) => r.stdout.slice(-800) + r.stderr).join("\n---\n")).toEqual([0, 1]);
    const loser = results[1 - winner]!;
    expect(said(loser)).toMatch(new RegExp(`prod is locked by certform apply by \\S+ \\(pid ${runs[winner]!.pid}\\)`));
    expect(loser.stdout).not.toContain("Apply complete");
    // The winner's batches went through the proxy once each: the loser sent none.
    expect(slow1.seen.filter((s) => s.startsWith("POST /v1/batch")).length).toBeGreaterThan(0);
    expect(results[winner]!.stdout).toContain("Apply complete!");
    await expectConverged(dir, "after the winner");
  }, 120_000);
});

describe("one node of a two-node environment down", () => {
  it("fails for that environment naming the node, leaves every environment as it was, and converges once the node is back", async () => {
    const envs = { dev: [dev.admin], prod: [prod1.admin, prod2.admin] };
    const dir = stackDir(stack(envs, "before"));
    expect((await certform(["apply", dir, "--auto-approve"])).code).toBe(0);
    const before = { dev: await storedObjects(dev.admin), prod1: await storedObjects(prod1.admin), revisions: [await revision(dev.admin), await revision(prod1.admin)] };

    const down = prod2;
    await down.stop();
    rewrite(dir, stack(envs, "after"));
    const failed = await certform(["apply", dir, "--auto-approve"]);
    expect(failed.code).toBe(1);
    expect(said(failed)).toContain(`prod: node ${down.admin}: POST /v1/lock: connection refused (6 attempts); nothing was changed on any gateway`);
    expect([await revision(dev.admin), await revision(prod1.admin)]).toEqual(before.revisions);
    expect(await storedObjects(dev.admin)).toEqual(before.dev);
    expect(await storedObjects(prod1.admin)).toEqual(before.prod1);
    expect(await lockOf(dev.admin)).toBeNull();
    expect(await lockOf(prod1.admin)).toBeNull();

    prod2 = await startGateway({ dataDir: down.dataDir, environment: "prod", node: "prod-2", admin: new URL(down.admin).host });
    const rerun = await certform(["apply", dir, "--auto-approve"]);
    expect(rerun.code, rerun.stdout.slice(-2000) + rerun.stderr).toBe(0);
    await expectConverged(dir, "with the node back");
    expect((await api(prod2.admin, "GET", "/v1/endpoints")).body.items.map((e: { url: string }) => e.url)).toEqual(["https://billing-after.internal:9443"]);
  }, 120_000);
});

describe("a gateway answering slowly, with 5xx, or dropping connections", () => {
  it("retries a bounded number of times with backoff, then fails with a clear error naming the node: no hang", async () => {
    const cases = [
      { what: "5xx", fault: "503" as const, message: /POST \/v1\/lock: try later \(6 attempts\)/ },
      { what: "dropped connections", fault: "reset" as const, message: /POST \/v1\/lock: connection failed \(ECONNRESET\) \(6 attempts\)/ },
      { what: "no answer", fault: "hang" as const, message: /POST \/v1\/lock: no answer within 300 ms \(6 attempts\)/ },
    ];
    await Promise.all(
      cases.map(async ({ what, fault, message }) => {
        const p = await proxy(dev.admin, () => fault);
        const dir = stackDir(stack({ dev: [p.url] }, what.replace(/\W/g, "-"), ", timeout: 300ms"));
        const before = await revision(dev.admin);
        const r = await certform(["apply", dir, "--auto-approve"]);
        expect(r.code, what).toBe(1);
        expect(said(r), what).toContain(`dev: node ${p.url}: `);
        expect(said(r), what).toMatch(message);
        // Every attempt reached the proxy: one and five retries, and nothing reached the gateway.
        expect(p.seen, what).toHaveLength(6);
        expect(await revision(dev.admin), what).toBe(before);
      }),
    );
  }, 120_000);

  it("rides out faults that pass: 5xx, resets, slow and lost answers, on reads, locks and batches, and converges", async () => {
    let n = 0;
    // Every request but the lock's release meets a fault at first; later ones pass, one in three faulted again.
    const faults: Fault[] = ["503", "reset", { delayMs: 700 }, "forward-then-reset"];
    const p = await proxy(dev.admin, (req) => {
      n++;
      if (req.method === "POST" && req.url === "/v1/batch") return n % 2 === 0 ? "forward-then-reset" : "503";
      return n % 3 === 0 ? faults[n % faults.length] : undefined;
    });
    const dir = stackDir(stack({ dev: [p.url] }, "flaky", ", timeout: 500ms"));
    const r = await certform(["apply", dir, "--auto-approve"]);
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    expect(p.seen.filter((s) => !s.endsWith(" ok")).length).toBeGreaterThan(2);
    expect((await api(dev.admin, "GET", "/v1/endpoints")).body.items.map((e: { url: string }) => e.url)).toEqual(["https://billing-flaky.internal:9443"]);
    await expectConverged(dir, "through the faults");
  }, 120_000);
});
