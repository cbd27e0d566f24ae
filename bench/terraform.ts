// Terraform beside certform, in the same run: a configuration of N built-in `terraform_data` resources
// (no provider to download) whose inputs are the same certificate files certform reads, so both tools hold
// N objects of the same size. Applying 10,000 of them takes Terraform over nine minutes, so a state for
// "nothing changed" is written here instead (state format version 4) with exactly the attributes an apply
// records; at a count that is applied for real, the run checks that the written state equals the applied
// one and that Terraform plans no change against it.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScaleFixture } from "./scale-fixture.js";

export interface TerraformDir {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/** "1.11.4", or null when terraform is not on PATH. */
export function terraformVersion(): string | null {
  try {
    const out = execFileSync("terraform", ["version", "-json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    return (JSON.parse(out) as { terraform_version: string }).terraform_version;
  } catch {
    return null;
  }
}

export function terraformConfig(count: number): string {
  return `resource "terraform_data" "cert" {
  count = ${count}
  input = file("\${path.module}/certs/c\${count.index}.pem")
}
`;
}

/** A working directory with the configuration, the certificates (a link to the fixture's) and a quiet environment. */
export function terraformDir(fixture: ScaleFixture, dir: string): TerraformDir {
  writeFileSync(join(dir, "main.tf"), terraformConfig(fixture.count));
  symlinkSync(join(fixture.dir, "certs"), join(dir, "certs"));
  const rc = join(dir, "terraformrc");
  writeFileSync(rc, "");
  const env = { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: rc, NO_COLOR: "1" };
  return { dir, env };
}

export const TF_FLAGS = ["-input=false", "-lock=false", "-no-color"];

interface Instance {
  index_key: number;
  schema_version: number;
  attributes: { id: string; input: { value: string; type: string }; output: { value: string; type: string }; triggers_replace: null };
  sensitive_attributes: unknown[];
}

interface State {
  version: number;
  resources: { mode: string; type: string; name: string; provider: string; instances: Instance[] }[];
}

/** The state an apply of the configuration leaves (ids and lineage aside). */
export function synthesizedState(fixture: ScaleFixture, version: string): string {
  const instances: Instance[] = [];
  for (let i = 0; i < fixture.count; i++) {
    const pem = readFileSync(join(fixture.dir, fixture.chainFile(i)), "utf8");
    instances.push({
      index_key: i,
      schema_version: 0,
      attributes: { id: randomUUID(), input: { value: pem, type: "string" }, output: { value: pem, type: "string" }, triggers_replace: null },
      sensitive_attributes: [],
    });
  }
  const state = {
    version: 4,
    terraform_version: version,
    serial: 1,
    lineage: randomUUID(),
    outputs: {},
    resources: [{ mode: "managed", type: "terraform_data", name: "cert", provider: 'provider["terraform.io/builtin/terraform"]', instances }],
    check_results: null,
  };
  return JSON.stringify(state);
}

/**
 * Whether two states hold the same resources with the same attributes, ids aside (an apply picks random
 * ids). Returns the first difference, or null when they are equivalent.
 */
export function stateDifference(applied: string, synthesized: string): string | null {
  const strip = (text: string) => {
    const state = JSON.parse(text) as State;
    return JSON.stringify({
      version: state.version,
      resources: state.resources.map((r) => ({
        ...r,
        instances: r.instances.map((i) => ({ ...i, attributes: { ...i.attributes, id: typeof i.attributes.id === "string" ? "<id>" : i.attributes.id } })),
      })),
    });
  };
  const a = strip(applied);
  const b = strip(synthesized);
  if (a === b) return null;
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  return `differs at character ${at}: applied …${a.slice(Math.max(0, at - 80), at + 80)}… written …${b.slice(Math.max(0, at - 80), at + 80)}…`;
}
