// The shape of bench/results/<date>.json: every raw sample, the medians, the machine and the notes of one run.
import type { Machine } from "./machine.js";
import type { Figure } from "./sample.js";

export interface ScriptResult {
  command: string;
  ok: boolean;
  ms: number;
  /** The script's JSON output, verbatim (parsed), when it printed one. */
  json?: unknown;
  /** What went wrong: a missing script, an exit code, a timeout, output that is not JSON. */
  error?: string;
  stderrTail?: string;
}

export interface TerraformResults {
  skipped?: string;
  init?: Figure;
  /** `terraform plan` with no state: every resource to create. */
  plan?: Figure;
  /** `terraform apply` of every resource, each run from an empty state. */
  apply?: Figure;
  /** `terraform plan` when nothing changed (exit 0 with -detailed-exitcode). */
  noChangePlan?: Figure;
  /** Where the no-change plan's state came from. */
  noChangeState?: "applied" | "synthesized";
  /** At a count applied for real: whether the written state equals the applied one and plans no change. */
  synthesizedStateCheck?: { equivalent: boolean; difference: string | null; planExitCode: number | null; noChanges: boolean };
  notes: string[];
}

export interface ScaleResults {
  count: number;
  fixtureSeconds: number;
  floor: Figure;
  validate: Figure;
  /** Cold `plan --out FILE`, every resource to create, no cache. */
  plan: Figure;
  planFileBytes: number | null;
  planTextBytes: number | null;
  /** `apply --auto-approve` of every resource on fresh nodes. */
  apply: Figure;
  /** `plan --detailed-exitcode` after an apply, once a cache (if any) is warm. */
  noChangePlan: Figure;
  terraform: TerraformResults;
  notes: string[];
}

export interface Results {
  date: string;
  startedAt: string;
  finishedAt: string;
  totalSeconds: number;
  budgetSeconds: number;
  machine: Machine;
  settings: Record<string, unknown>;
  startup: { version: Figure; nodeBaseline: Figure };
  scale: ScaleResults[];
  gateway: ScriptResult | { skipped: string };
  handshakes: ScriptResult | { skipped: string };
  notes: string[];
}
