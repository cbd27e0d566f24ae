import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchesOf, MAX_BATCH_BYTES } from "../src/providers/embedded/operator.js";
import { certform } from "./support/cli.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// A step larger than one admin request (the node takes at most 1 MiB per request): 600 certificates, each
// with its chain and key, are about 1.2 MB. apply sends them in several batches, in order, each atomic and
// guarded by the revision the previous one left, and the result is the same as one batch would have given.

const COUNT = 600;
let gw: GatewayProcess;
let dir: string;
let certificateLines = "";
const stackText = (admin: string) => `apiVersion: certform/v1\nkind: Stack\nname: big\nenvironments:\n  dev: { gateway: { type: embedded, nodes: ["${admin}"] } }\ncertificates:\n${certificateLines}\n`;
/** The certificate files of a stack directory, to lay out again beside another stack file. */
const filesOf = (root: string): Record<string, string> =>
  Object.fromEntries(readdirSync(join(root, "certs")).map((f) => [`certs/${f}`, readFileSync(join(root, "certs", f), "utf8")]));

beforeAll(async () => {
  gw = await startGateway({ environment: "dev" });
  const ca = await makeCa();
  const files: Record<string, string> = {};
  const lines: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const leaf = await issue({ issuer: ca, hosts: [`host-${i}.example.com`] });
    files[`certs/c${i}.pem`] = toPem([leaf.certificate, ca.certificate]);
    files[`certs/c${i}.key`] = leaf.keyPem;
    lines.push(`  c${i}: { certificate: { file: certs/c${i}.pem }, key: { file: certs/c${i}.key } }`);
  }
  certificateLines = lines.join("\n");
  files["stack.yaml"] = stackText(gw.admin);
  dir = writeStackDir(files);
}, 120_000);
afterAll(() => gw?.stop());

describe("a step too large for one admin request", () => {
  it("goes in several batches, in order, and a new plan shows no changes", async () => {
    const before = (await api(gw.admin, "GET", "/v1/status")).body.revision as number;
    const applied = await certform(["apply", dir, "--auto-approve", "--format", "json"]);
    expect(applied.code, applied.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(applied.stdout);
    expect(result.ok).toBe(true);
    expect(result.summary.created).toBe(COUNT);
    expect(result.operations.filter((o: { state: string }) => o.state === "applied")).toHaveLength(COUNT);
    // One revision per batch: more than one batch was needed, and each was committed whole.
    const after = (await api(gw.admin, "GET", "/v1/status")).body;
    expect(after.certificates).toHaveLength(COUNT);
    expect(after.revision - before).toBeGreaterThan(1);

    const plan = await certform(["plan", dir, "--detailed-exitcode"]);
    expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  }, 240_000);

  it("a node killed between batches keeps every batch it acknowledged, and a re-run converges", async () => {
    // Start from nothing on a node of its own, so that there is a first batch to see committed.
    const node = await startGateway({ environment: "dev" });
    const port = new URL(node.admin).port;
    const stackDir = writeStackDir({ ...filesOf(dir), "stack.yaml": stackText(node.admin) });
    try {
      const applying = certform(["apply", stackDir, "--auto-approve", "--format", "json"]);
      // Killed as soon as the first batch is durable: the rest were not sent, or not answered.
      let first = 0;
      while (first === 0) {
        first = ((await api(node.admin, "GET", "/v1/status")).body.certificates as unknown[]).length;
        if (first === 0) await new Promise((r) => setTimeout(r, 20));
      }
      await node.kill9();
      const failed = await applying;
      expect(failed.code).toBe(1);
      const report = JSON.parse(failed.stdout);
      expect(report.ok).toBe(false);
      const applied = report.operations.filter((o: { state: string }) => o.state === "applied").length;
      expect(applied).toBeGreaterThan(0);
      expect(applied).toBeLessThan(COUNT);

      const again = await startGateway({ environment: "dev", dataDir: node.dataDir, admin: `127.0.0.1:${port}` });
      try {
        // Everything acknowledged before the kill is still there.
        const kept = ((await api(again.admin, "GET", "/v1/status")).body.certificates as unknown[]).length;
        expect(kept).toBeGreaterThanOrEqual(applied);
        // The apply could not release its lock on a dead node; as after any interrupted apply, the user
        // is told to release it, and does.
        const locked = await certform(["apply", stackDir, "--auto-approve"]);
        expect(locked.code).toBe(1);
        expect(locked.stdout + locked.stderr).toContain("certform force-unlock dev");
        expect((await certform(["force-unlock", "dev", stackDir])).code).toBe(0);
        const rerun = await certform(["apply", stackDir, "--auto-approve"]);
        expect(rerun.code, rerun.stdout.slice(-2000)).toBe(0);
        expect(rerun.stdout).toContain(`Apply complete! ${COUNT - kept} created`);
        const plan = await certform(["plan", stackDir, "--detailed-exitcode"]);
        expect(plan.code).toBe(0);
      } finally {
        await again.stop();
      }
    } finally {
      await node.stop();
    }
  }, 240_000);

  it("splits by size and count, keeps the order, and sends an operation over the limit alone", () => {
    const op = (name: string, size: number) => ({ op: "put" as const, collection: "endpoints" as const, name, body: { url: "x".repeat(size) } });
    const ops = [op("a", 400), op("b", 400), op("c", 400), op("huge", 5000), op("d", 10)];
    const batches = batchesOf(ops, { count: 10, bytes: 1000 });
    expect(batches.map((b) => b.map((o) => o.name))).toEqual([["a", "b"], ["c"], ["huge"], ["d"]]);
    expect(batchesOf(ops, { count: 2, bytes: 1_000_000 }).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(MAX_BATCH_BYTES).toBeLessThan(1024 * 1024);
  });
});
