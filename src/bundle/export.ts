import type { BundleManifest } from "../model/bundle.js";
import type { Diagnostic } from "../model/index.js";
import { providerForEnvironment } from "../providers/for-environment.js";
import { ProviderError, type LiveNode } from "../providers/provider.js";
import { readStack, type EnvironmentState } from "../stack/index.js";
import { finishManifest } from "./bundle-file.js";
import type { Declared, KeyOptions } from "./collect-certificate.js";
import { collectBundle, ownedHere } from "./collect.js";

export interface ExportRequest {
  paths: string[];
  environment: string;
  all: boolean;
  keys: KeyOptions;
  version: string;
}

export interface ExportProblem {
  code: string;
  message: string;
  hint: string;
}

export type ExportOutcome =
  | { ok: true; manifest: BundleManifest; files: Map<string, string> }
  | { ok: false; diagnostics: Diagnostic[]; problems: ExportProblem[] };

/** Reads an environment's live nodes (through its stack) and makes the bundle; nothing is written here. */
export async function exportEnvironment(req: ExportRequest): Promise<ExportOutcome> {
  // Keys are read from the stack's sources; a url: source is captured (as plan does) only when keys are wanted.
  const read = await readEnvironment(req.paths, req.environment, { all: req.all, capture: req.keys.passphrase !== undefined });
  if (!read.ok) return read;
  const { env, stack, nodes } = read;
  const declared = new Map<string, Declared>(env.certificates.map((c) => [c.name, { spec: c.spec, hosts: c.hosts, ...(c.material?.key ? { key: c.material.key } : {}) }]));
  const first = nodes[0]!;
  const { manifest, files } = collectBundle({
    stack,
    environment: env.name,
    gateway: env.spec.gateway.type,
    revision: first.revision,
    version: req.version,
    objects: first.objects,
    requests: first.requests ?? [],
    all: req.all,
    declared,
    keys: req.keys,
  });
  return { ok: true, manifest: finishManifest(manifest, files), files };
}

/** The stack's view of one environment and every one of its nodes, read and checked to agree. */
export async function readEnvironment(
  paths: string[],
  environment: string,
  opts: { all?: boolean; capture?: boolean } = {},
): Promise<{ ok: true; env: EnvironmentState; stack: string; nodes: LiveNode[] } | { ok: false; diagnostics: Diagnostic[]; problems: ExportProblem[] }> {
  const all = opts.all === true;
  const result = await readStack(paths, { environments: [environment], requireGatewayEnv: true, capture: opts.capture === true });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  const env = result.state?.environments.find((e) => e.name === environment);
  if (!result.state || !env || errors.length > 0) return { ok: false, diagnostics: result.diagnostics, problems: [] };
  const stack = result.state.stack;
  const urls = env.spec.gateway.nodes;
  if (urls.length === 0) return fail("gateway-no-nodes", `environment ${environment} lists no nodes`, "add the admin URL of every node to its gateway's nodes:");
  const provider = providerForEnvironment(env);
  try {
    const nodes = await Promise.all(urls.map((u) => provider.read(u)));
    const drift = firstDrift(nodes, (o) => all || ownedHere(o, stack, environment));
    if (drift) return fail("drift", `${environment}: the nodes do not hold the same state: ${drift}`, "run plan and apply to bring the nodes together, then export");
    return { ok: true, env, stack, nodes };
  } catch (err) {
    if (err instanceof ProviderError) return fail(err.code, `${environment}: node ${err.node}: ${err.message}`, err.hint ?? "check that the node runs and the stack's gateway settings");
    throw err;
  } finally {
    provider.close?.();
  }
}

function fail(code: string, message: string, hint: string): { ok: false; diagnostics: Diagnostic[]; problems: ExportProblem[] } {
  return { ok: false, diagnostics: [], problems: [{ code, message, hint }] };
}

/** Where two nodes differ on the exported objects and pending requests, in words; undefined when they agree. */
function firstDrift(nodes: LiveNode[], chosen: (o: { labels: Record<string, string> }) => boolean): string | undefined {
  const signature = (n: LiveNode) =>
    new Map([
      ...n.objects.filter(chosen).map((o): [string, string] => [`${o.collection}/${o.name}`, JSON.stringify([o.labels, o.fields])]),
      ...(n.requests ?? []).filter(chosen).map((r): [string, string] => [`requests/${r.name}`, JSON.stringify(r)]),
    ]);
  const base = signature(nodes[0]!);
  for (const n of nodes.slice(1)) {
    const other = signature(n);
    for (const key of new Set([...base.keys(), ...other.keys()])) {
      if (base.get(key) !== other.get(key)) return `${key} differs between ${nodes[0]!.node} and ${n.node}`;
    }
  }
  return undefined;
}
