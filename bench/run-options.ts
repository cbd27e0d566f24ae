// The settings of `npm run bench`, from arguments (`npm run bench -- --counts 200 --runs 1`) or BENCH_*
// environment variables, so that a quick smoke run and the full run are the same script.
import { parseArgs } from "node:util";

export interface RunOptions {
  counts: number[];
  runs: number;
  applyRuns: number;
  warmRuns: number;
  versionRuns: number;
  timeoutMs: number;
  budgetMs: number;
  /** A sample slower than this is not repeated (the median of one is recorded, with a note). */
  repeatLimitMs: number;
  terraformApplyMax: number;
  terraformApplyRuns: number;
  /** Terraform's no-change plan is stopped after this; its figure is then a lower bound. */
  terraformCapMs: number;
  terraform: boolean;
  gateway: boolean;
  handshakes: boolean;
  write: boolean;
}

const HELP = `npm run bench [-- options]
  --counts 1000,10000   certificate counts to measure (BENCH_COUNTS)
  --runs 3              samples per figure; each figure is their median (BENCH_RUNS)
  --apply-runs N        samples of apply (default: --runs)
  --warm 2              plans run before the no-change plan is measured (a cache may be warming)
  --version-runs 10     samples of certform --version and of node -e 0
  --timeout 300         seconds before one command is killed and recorded as "timeout"
  --budget 900          seconds the whole run aims to stay within: slow figures are sampled less
  --repeat-limit 100    seconds: a sample slower than this is not repeated
  --terraform-apply-max 1000   largest count Terraform applies for real (10,000 takes over 9 minutes)
  --terraform-apply-runs 1     samples of terraform apply (about 45 s each at 1,000; it is no target's figure)
  --terraform-cap 60    seconds after which Terraform's no-change plan is stopped and recorded as "over"
                        that (at 10,000 it needs over 4 CPU-minutes: it grows faster than the count)
  --no-terraform, --no-gateway, --no-handshakes   skip those parts
  --no-write            print the results but write neither bench/results/ nor docs/performance.md`;

export function runOptions(argv: string[], env: NodeJS.ProcessEnv): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      counts: { type: "string" },
      runs: { type: "string" },
      "apply-runs": { type: "string" },
      warm: { type: "string" },
      "version-runs": { type: "string" },
      timeout: { type: "string" },
      budget: { type: "string" },
      "repeat-limit": { type: "string" },
      "terraform-apply-max": { type: "string" },
      "terraform-cap": { type: "string" },
      "terraform-apply-runs": { type: "string" },
      "no-terraform": { type: "boolean", default: false },
      "no-gateway": { type: "boolean", default: false },
      "no-handshakes": { type: "boolean", default: false },
      "no-write": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const num = (text: string | undefined, fallback: number, what: string) => {
    if (text === undefined || text === "") return fallback;
    const n = Number(text.replace(/_/g, ""));
    if (!Number.isFinite(n) || n < 0) throw new Error(`${what}: "${text}" is not a number`);
    return n;
  };
  const countsText = values.counts ?? env.BENCH_COUNTS ?? "1000,10000";
  const counts = countsText.split(",").map((c) => num(c.trim(), 0, "--counts"));
  if (counts.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--counts: "${countsText}" must be positive whole numbers, comma-separated`);
  const runs = Math.max(1, num(values.runs ?? env.BENCH_RUNS, 3, "--runs"));
  return {
    counts: [...new Set(counts)].sort((a, b) => a - b),
    runs,
    applyRuns: Math.max(1, num(values["apply-runs"], runs, "--apply-runs")),
    warmRuns: num(values.warm, 2, "--warm"),
    versionRuns: Math.max(1, num(values["version-runs"], 10, "--version-runs")),
    timeoutMs: num(values.timeout, 300, "--timeout") * 1000,
    budgetMs: num(values.budget, 900, "--budget") * 1000,
    repeatLimitMs: num(values["repeat-limit"], 100, "--repeat-limit") * 1000,
    terraformApplyMax: num(values["terraform-apply-max"], 1000, "--terraform-apply-max"),
    terraformApplyRuns: Math.max(1, num(values["terraform-apply-runs"], 1, "--terraform-apply-runs")),
    terraformCapMs: num(values["terraform-cap"], 60, "--terraform-cap") * 1000,
    terraform: !values["no-terraform"],
    gateway: !values["no-gateway"],
    handshakes: !values["no-handshakes"],
    write: !values["no-write"],
  };
}
