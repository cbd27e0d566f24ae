import { getOverTls, safeText, type EndpointTrust } from "./probes.js";
import { where, type HandshakePlan, type NodeContext, type VerifyFailure, type VerifyTarget } from "./types.js";
import { LABEL } from "../model/index.js";

// What a node publishes beyond its certificates: the JWKS's kids over TLS, and each endpoint's trust
// through the admin API.

export function jwksServername(plans: readonly HandshakePlan[]): string | undefined {
  const named = plans.find((p) => p.sni !== undefined && p.checks.some((c) => c.kind === "name"));
  return (named ?? plans.find((p) => p.sni !== undefined))?.sni;
}

export async function checkJwks(ctx: NodeContext, expected: VerifyTarget["jwks"], sni: string | undefined, timeoutMs: number): Promise<VerifyFailure[]> {
  const url = `https://${ctx.at.host.includes(":") ? `[${ctx.at.host}]` : ctx.at.host}:${ctx.at.port}/.well-known/jwks.json`;
  // The declared host first; without SNI as a fallback (a host whose clients need a certificate answers 403).
  const attempts = sni === undefined ? [undefined] : [sni, undefined];
  const reasons: string[] = [];
  let kids: Set<string> | undefined;
  for (const name of attempts) {
    const res = await getOverTls(ctx.at, "/.well-known/jwks.json", name, timeoutMs);
    const how = name === undefined ? "without SNI" : `with SNI ${name}`;
    if (!res.ok) {
      reasons.push(`${how}: ${res.reason}`);
      continue;
    }
    const keys = (res.value.json as { keys?: unknown } | undefined)?.keys;
    if (res.value.status !== 200 || !Array.isArray(keys)) {
      const code = (res.value.json as { error?: { code?: unknown } } | undefined)?.error?.code;
      reasons.push(`${how}: answered ${res.value.status}${typeof code === "string" ? ` (${safeText(code)})` : ""}${res.value.status === 200 ? " without a keys list" : ""}`);
      continue;
    }
    kids = new Set(keys.flatMap((k) => (typeof k === "object" && k !== null && typeof (k as { kid?: unknown }).kid === "string" ? [(k as { kid: string }).kid] : [])));
    break;
  }
  return expected.flatMap((jwk): VerifyFailure[] => {
    const base = { environment: ctx.environment, node: ctx.node, address: jwk.address };
    if (!kids) return [{ ...base, code: "jwks-unreadable", message: `${where(ctx)}: could not read ${url} to check kid ${JSON.stringify(jwk.kid)} (${jwk.address}): ${reasons.join("; ")}` }];
    if (kids.has(jwk.kid)) return [];
    return [{ ...base, code: "jwk-missing", message: `${where(ctx)}: ${url} does not hold kid ${JSON.stringify(jwk.kid)} declared by ${jwk.address} (it holds ${kids.size === 0 ? "no keys" : [...kids].map((k) => JSON.stringify(k.length > 100 ? `${k.slice(0, 100)}…` : k)).join(", ")})` }];
  });
}


/** The resource name of an address: `endpoints.api[prod]` → `api`. */
const resourceName = (address: string) => /^[A-Za-z]+\.([^[\]]+)/.exec(address)?.[1] ?? address;

export async function checkEndpoints(ctx: NodeContext, expected: VerifyTarget["endpoints"], read: () => Promise<EndpointTrust[]>): Promise<VerifyFailure[]> {
  let live: EndpointTrust[];
  try {
    live = await read();
  } catch (err) {
    const reason = safeText(err instanceof Error ? err.message : String(err));
    return expected.map((e) => ({ environment: ctx.environment, node: ctx.node, address: e.address, code: "endpoints-unreadable" as const, message: `${where(ctx)}: could not read the endpoints to check ${e.address}'s trust: ${reason}` }));
  }
  const failures: VerifyFailure[] = [];
  for (const want of expected) {
    const base = { environment: ctx.environment, node: ctx.node, address: want.address };
    const found =
      live.find((e) => e.labels?.[LABEL.address] === want.address) ??
      live.find((e) => e.path !== undefined && e.path === want.path) ??
      live.find((e) => e.name === resourceName(want.address));
    if (!found) {
      failures.push({ ...base, code: "endpoint-missing", message: `${where(ctx)}: no endpoint for ${want.address} (path ${want.path}) on the node` });
      continue;
    }
    const has = new Set(found.trustedAliases.map((a) => a.toLowerCase()));
    const wants = new Set(want.trustedAliases.map((a) => a.toLowerCase()));
    const missing = want.trustedAliases.filter((a) => !has.has(a.toLowerCase()));
    const unexpected = found.trustedAliases.filter((a) => !wants.has(a.toLowerCase()));
    const list = (aliases: string[]) => aliases.map((a) => JSON.stringify(safeText(a))).join(", ");
    if (missing.length > 0) {
      failures.push({ ...base, code: "trust-missing", message: `${where(ctx)}: endpoint ${found.name} (${want.address}, path ${want.path}) does not trust ${list(missing)}; it trusts ${found.trustedAliases.length ? list(found.trustedAliases) : "nothing"}` });
    }
    if (unexpected.length > 0) {
      failures.push({ ...base, code: "trust-unexpected", message: `${where(ctx)}: endpoint ${found.name} (${want.address}, path ${want.path}) also trusts ${list(unexpected)}, which is not declared` });
    }
  }
  return failures;
}

