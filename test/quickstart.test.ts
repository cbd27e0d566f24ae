import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { certform, REPO } from "./support/cli.js";

// `npm start`, run as a new user runs it, with its material and node stores in a temporary directory
// (CERTFORM_QUICKSTART_DIR) rather than the developer's .certform/. The ports are the quickstart's fixed ones:
// a developer's own `npm start -- --serve` running at the same time makes these tests fail on busy ports.
const DIR = mkdtempSync(join(tmpdir(), "certform-quickstart-"));
const ENV = { CERTFORM_QUICKSTART_DIR: DIR };
const PORTS = [18081, 18443, 18091, 18493, 18092, 18494, 18400];

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Every port the quickstart uses refuses connections (within a few seconds: stopped nodes close their listeners). */
async function expectNothingRunning(): Promise<void> {
  const deadline = Date.now() + 5_000;
  let open: number[] = [];
  do {
    open = [];
    for (const p of PORTS) if (await listening(p)) open.push(p);
    if (open.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  expect(open, "ports still accepting connections after the quickstart ended").toEqual([]);
}

/** `certform quickstart ARGS` as a child process; resolves with its output once `until` is printed. */
function startQuickstart(args: string[], until: string) {
  const child = spawn(process.execPath, [join(REPO, "bin", "certform.js"), "quickstart", ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: "1", ...ENV }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const reached = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(until)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`quickstart exited with ${code} before printing "${until}":\n${out}`)));
  });
  return { child, reached, exited, output: () => out };
}

describe("npm start (certform quickstart)", () => {
  it("creates its material, applies on the first run, shows no changes on the second, and leaves nothing running", async () => {
    const first = await certform(["quickstart"], { env: ENV });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain("Created in");
    expect(first.stdout).toContain("Apply complete! 18 created");
    expect(first.stdout).toContain("prod: verified over TLS on every node");
    expect(first.stdout).toMatch(/✓ prod-1 +GET \/orders\/42 +200 \{"service":"orders"/);
    expect(first.stdout).toMatch(/✓ prod-2 +api\.quickstart\.test +CN=api\.quickstart\.test, issued by certform quickstart local CA \(trusted with ca\.pem\)/);
    expect(first.stdout).toMatch(/✓ dev-1 +shop\.dev\.quickstart\.test +CN=\*\.dev\.quickstart\.test, self-signed/);
    expect(first.stdout).toMatch(/✓ prod-1 +GET \/\.well-known\/jwks\.json +200 kid \S+ \(EC P-256 ES256\)/);
    expect(first.stdout).not.toContain("✗");
    for (const key of ["ca.key", "api.key", "backend.key"]) expect(statSync(join(DIR, key)).mode & 0o777).toBe(0o600);
    await expectNothingRunning();

    const second = await certform(["quickstart"], { env: ENV });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain("Reusing the local CA");
    expect(second.stdout).toContain("No changes. The gateways match the stack.");
    expect(second.stdout).not.toContain("Apply complete!");
    expect(second.stdout).not.toContain("✗");
    await expectNothingRunning();

    for (const r of [first, second]) expect(r.stdout + r.stderr).not.toContain("PRIVATE KEY");
  }, 40_000);

  it("--serve keeps everything running until SIGTERM, prints commands to try, then stops everything", async (ctx) => {
    const qs = startQuickstart(["--serve"], "Everything keeps running until Ctrl-C.");
    // A failed expectation must not leave the nodes serving on the quickstart's fixed ports.
    ctx.onTestFinished(() => {
      if (qs.child.exitCode === null) qs.child.kill("SIGTERM");
    });
    await qs.reached;
    // Give the rest of the block a moment to be written.
    await new Promise((r) => setTimeout(r, 200));
    expect(qs.output()).toContain("No changes. The gateways match the stack.\nVerified over TLS: every node serves what the stack declares.");
    expect(qs.output()).toContain(`curl --cacert ${DIR}/ca.pem --resolve api.quickstart.test:18493:127.0.0.1 https://api.quickstart.test:18493/orders/42`);
    expect(qs.output()).toMatch(/openssl s_client -connect 127\.0\.0\.1:18493 -servername api\.quickstart\.test/);
    expect(qs.output()).toContain(`CERTFORM_QUICKSTART_DIR=${DIR} npx certform plan`);
    for (const p of PORTS) expect(await listening(p), `port ${p}`).toBe(true);
    qs.child.kill("SIGTERM");
    expect(await qs.exited).toBe(0);
    expect(qs.output()).toContain("Stopped the gateway nodes and the backend");
    expect(qs.output()).not.toContain("PRIVATE KEY");
    await expectNothingRunning();
  }, 30_000);

  it("interrupted while it starts the nodes or applies, it stops everything it started", async () => {
    const qs = startQuickstart([], "Started:");
    await qs.reached;
    qs.child.kill("SIGINT");
    const code = await qs.exited;
    expect(code, qs.output()).not.toBe(0);
    expect(qs.output()).not.toContain("    at ");
    await expectNothingRunning();
    // The next run converges, whatever the interrupted one had applied (a lock it left is released).
    const again = await certform(["quickstart"], { env: ENV });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await expectNothingRunning();
  }, 30_000);

  it("fails clearly, starting nothing, when a port it needs is busy", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(18400, "127.0.0.1", resolve));
    try {
      const r = await certform(["quickstart"], { env: ENV });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("127.0.0.1:18400 (the orders backend): in use");
      expect(r.stdout).toContain("hint:");
      expect(r.stdout + r.stderr).not.toContain("    at ");
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    await expectNothingRunning();
  });
});
