import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./support/cli.js";

// examples/haproxy as a new user runs it: one command, a real HAProxy, then everything stopped again.
describe("examples/haproxy/run.mjs", () => {
  it("applies the stack to a real HAProxy, serves it, routes to the trusted backend, and finds nothing left to do", async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO, "examples", "haproxy", "run.mjs")], { env: { ...process.env, NO_COLOR: "1" } });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, out }));
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("Apply complete! 5 created");
    expect(r.out).toMatch(/shop\.demo\.test → CN=shop\.demo\.test/);
    expect(r.out).toMatch(/api\.demo\.test → CN=api\.demo\.test/);
    expect(r.out).toContain("200 orders backend: /v1/42");
    expect(r.out).toContain("No changes. The gateways match the stack.");
    expect(r.out).not.toContain("PRIVATE KEY");
  });
});
