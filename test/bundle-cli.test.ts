import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { registerExportCert } from "../src/cli/export-cert.js";
import { registerExport } from "../src/cli/export.js";
import { registerImport } from "../src/cli/import.js";
import { certform } from "./support/cli.js";

// The commands' options as commander parses them, with the work itself stubbed: what reaches runExport,
// runExportCert and runImport. The work is tested in the other bundle-*.test.ts files.

const calls: unknown[][] = [];
vi.mock("../src/cli/export-run.js", () => ({ runExport: async (...args: unknown[]) => (calls.push(["export", ...args]), 0) }));
vi.mock("../src/cli/export-cert-run.js", () => ({ runExportCert: async (...args: unknown[]) => (calls.push(["export-cert", ...args]), 0) }));
vi.mock("../src/cli/import-run.js", () => ({ runImport: async (...args: unknown[]) => (calls.push(["import", ...args]), 0) }));

async function parse(argv: string[]): Promise<{ call: unknown[]; exit: number }> {
  calls.length = 0;
  let exit = -1;
  const program = new Command("certform").exitOverride();
  registerExport(program, (c) => (exit = c));
  registerExportCert(program, (c) => (exit = c));
  registerImport(program, (c) => (exit = c));
  await program.parseAsync(argv, { from: "user" });
  return { call: calls[0]!, exit };
}

describe("export, export-cert and import on the command line", () => {
  it("export: stack paths, one --env, --out, --all, --include-private-keys, --format", async () => {
    expect(await parse(["export", "--env", "prod", "--out", "b.zip", "--all", "--include-private-keys", "stacks/a.yaml"])).toEqual({
      call: ["export", ["stacks/a.yaml"], { env: ["prod"], out: "b.zip", all: true, includePrivateKeys: true, format: "zip", color: true }],
      exit: 0,
    });
    expect((await parse(["export", "--env", "prod", "--format", "json"])).call).toEqual(["export", ["stacks"], { env: ["prod"], format: "json", color: true }]);
  });

  it("export-cert: an address, --format pem|der, --chain, --out", async () => {
    expect((await parse(["export-cert", "certificates.api[prod]", "--format", "der", "--out", "api.der"])).call).toEqual(["export-cert", "certificates.api[prod]", ["stacks"], { format: "der", out: "api.der", color: true }]);
  });

  it("import: --map-environment and --node repeat, --gateway-type defaults to embedded", async () => {
    const { call } = await parse(["import", "b.zip", "--env", "prod", "--out", "out", "--map-environment", "test=prod", "--node", "http://n1", "--node", "http://n2", "--from", "apinizer", "--apply", "--auto-approve"]);
    expect(call).toEqual(["import", "b.zip", { env: "prod", out: "out", mapEnvironment: ["test=prod"], node: ["http://n1", "http://n2"], gatewayType: "embedded", from: "apinizer", apply: true, autoApprove: true, parallelism: "10", format: "text", color: true }]);
  });

  // Skipped until registerExport, registerExportCert and registerImport are wired into src/cli/main.ts.
  it("certform export --help works from the installed command", async () => {
    const r = await certform(["export", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--include-private-keys");
  });
});
