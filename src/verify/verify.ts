import { isIP } from "node:net";
import { normalizeSha256 } from "../x509/fingerprint.js";
import { fetchEndpoints, handshakeLeaf, listenerOf, safeText, type Probe, type ServedLeaf } from "./probes.js";
import { checkEndpoints, checkJwks, jwksServername } from "./content.js";
import { where, type HandshakePlan, type Certificate, type HostCheck, type NodeContext, type VerifyFailure, type VerifyOptions, type VerifyTarget } from "./types.js";

// Verification after apply (contract §3): every node of the environment is asked over its TLS listener, as a
// client would ask it, whether it serves what was declared — each host's certificate (by SHA-256 of the
// leaf), the JWKS's kids — and, through its admin API, whether each endpoint trusts exactly the declared
// aliases. Every mismatch names the environment, the node and the host or object. Chains are not verified
// against a CA: identity is the fingerprint. Nothing here handles key material.

export { listenerOf, type EndpointTrust } from "./probes.js";
export type { HandshakePlan, HostCheck, VerifyCode, VerifyFailure, VerifyOptions, VerifyTarget } from "./types.js";

export const VERIFY_DEFAULTS = { timeoutMs: 5000, concurrency: 8 } as const;

/** The label a wildcard host is checked with: `*.example.com` → `certform-verify.example.com`. */
export const WILDCARD_PROBE_LABEL = "certform-verify";

/** The data plane URL a node's `/v1/status` answer shows (`listen`), or undefined. */
export function listenOf(status: unknown): string | undefined {
  if (typeof status !== "object" || status === null) return undefined;
  const listen = (status as { listen?: unknown }).listen;
  return typeof listen === "string" && listen !== "" ? listen : undefined;
}

/** Reads a node's data plane URL from its `/v1/status` with a plain GET (pass `headers` for a token). */
export async function fetchListen(admin: string, opts: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  const res = await fetch(`${admin.replace(/\/+$/, "")}/v1/status`, { headers: { accept: "application/json", ...opts.headers }, signal: AbortSignal.timeout(opts.timeoutMs ?? VERIFY_DEFAULTS.timeoutMs) });
  const body: unknown = await res.json().catch(() => undefined);
  const listen = res.ok ? listenOf(body) : undefined;
  if (!listen) throw new Error(`node ${admin}: /v1/status ${res.ok ? "does not show the data plane URL (listen)" : `answered ${res.status}`}`);
  return listen;
}

/** DNS names compare case-insensitively, without a trailing dot. */
const normalizeName = (name: string) => name.toLowerCase().replace(/\.$/, "");
const fingerprintKey = (fp: string) => normalizeSha256(fp) ?? fp.trim().toUpperCase();

export function planHandshakes(certificates: readonly Certificate[]): HandshakePlan[] {
  const byHost = new Map<string, { host: string; claimants: Certificate[] }>();
  for (const cert of certificates) {
    for (const host of new Set(cert.hosts.map(normalizeName))) {
      const entry = byHost.get(host) ?? { host, claimants: [] };
      entry.claimants.push(cert);
      byHost.set(host, entry);
    }
  }
  const exact = new Set([...byHost.keys()].filter((h) => !h.startsWith("*.")));
  const plans = new Map<string, HandshakePlan>();
  const add = (sni: string | undefined, check: HostCheck) => {
    const key = sni ?? "";
    const plan = plans.get(key) ?? { sni, checks: [] };
    plan.checks.push(check);
    plans.set(key, plan);
  };
  for (const { host, claimants } of byHost.values()) {
    if (isIP(host) !== 0) add(undefined, { host, kind: "address", claimants });
    else if (host.startsWith("*.")) add(wildcardProbe(host.slice(2), exact), { host, kind: "wildcard", claimants });
    else add(host, { host, kind: "name", claimants });
  }
  const defaults = certificates.filter((c) => c.default);
  if (defaults.length > 0) add(undefined, { host: undefined, kind: "default", claimants: defaults });
  return [...plans.values()];
}

/** A name only the wildcard covers: one label under its base that no exact host claims. */
function wildcardProbe(base: string, exact: ReadonlySet<string>): string {
  for (let i = 0; ; i++) {
    const name = `${WILDCARD_PROBE_LABEL}${i === 0 ? "" : `-${i}`}.${base}`;
    if (!exact.has(name)) return name;
  }
}

/** Checks every node of one environment; resolves with every mismatch (none: the environment is as declared). */
export async function verifyEnvironment(target: VerifyTarget, opts: VerifyOptions = {}): Promise<VerifyFailure[]> {
  const timeoutMs = opts.timeoutMs ?? VERIFY_DEFAULTS.timeoutMs;
  const concurrency = Math.max(1, opts.concurrency ?? VERIFY_DEFAULTS.concurrency);
  const readEndpoints = opts.readEndpoints ?? ((admin: string) => fetchEndpoints(admin, timeoutMs));
  const plans = planHandshakes(target.certificates);
  const jwksSni = jwksServername(plans);

  const tasks: (() => Promise<VerifyFailure[]>)[] = [];
  for (const node of target.nodes) {
    const at = listenerOf(node.listen, node.admin);
    const ctx: NodeContext = { environment: target.environment, node: node.admin, at };
    for (const plan of plans) tasks.push(async () => judgeHandshake(ctx, plan, await handshakeLeaf(at, plan.sni, timeoutMs)));
    if (target.jwks.length > 0) tasks.push(() => checkJwks(ctx, target.jwks, jwksSni, timeoutMs));
    if (target.endpoints.length > 0) tasks.push(() => checkEndpoints(ctx, target.endpoints, () => withTimeout(readEndpoints(node.admin), timeoutMs)));
  }
  return (await runBounded(tasks, concurrency)).flat();
}


function describeCheck(check: HostCheck, sni: string | undefined): string {
  switch (check.kind) {
    case "name":
      return `host ${check.host}`;
    case "wildcard":
      return `host ${check.host} (checked as ${sni})`;
    case "address":
      return `host ${check.host} (without SNI, as clients connecting by address)`;
    case "default":
      return "a handshake without SNI (the default certificate)";
  }
}

function judgeHandshake(ctx: NodeContext, plan: HandshakePlan, result: Probe<ServedLeaf>): VerifyFailure[] {
  const failures: VerifyFailure[] = [];
  for (const check of plan.checks) {
    const first = check.claimants[0]!;
    const base = { environment: ctx.environment, node: ctx.node, address: first.address, ...(check.host !== undefined ? { host: check.host } : {}) };
    const expected = check.claimants.map((c) => `${c.fingerprint256} (${c.address})`).join(" or ");
    if (!result.ok) {
      failures.push({ ...base, code: "handshake-failed", message: `${where(ctx)}: ${describeCheck(check, plan.sni)}: the TLS handshake with ${ctx.at.host}:${ctx.at.port} failed: ${result.reason}; expected certificate SHA-256 ${expected}` });
      continue;
    }
    const served = fingerprintKey(result.value.fingerprint256);
    if (check.claimants.some((c) => fingerprintKey(c.fingerprint256) === served)) continue;
    const shown = [result.value.subject && `subject ${safeText(result.value.subject)}`, result.value.subjectAltName && `SAN ${safeText(result.value.subjectAltName)}`].filter(Boolean).join(", ");
    const byAddress = check.kind === "address" && !check.claimants.some((c) => c.default) ? " (clients connecting by address send no SNI and get the default certificate: make this certificate the default to serve them)" : "";
    failures.push({
      ...base,
      code: "wrong-certificate",
      expected: check.claimants.map((c) => c.fingerprint256),
      served: result.value.fingerprint256,
      message: `${where(ctx)}: ${describeCheck(check, plan.sni)} serves the wrong certificate: expected SHA-256 ${expected}, served SHA-256 ${result.value.fingerprint256}${shown ? ` (${shown})` : ""}${byAddress}`,
    });
  }
  return failures;
}

/** The SNI the JWKS is fetched with: a declared DNS name (the first), else a wildcard's probe name, else none. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs tasks with at most `limit` in flight; results in task order. */
async function runBounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
