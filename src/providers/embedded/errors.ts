import { ApiError } from "../../gateway/api/admin-api.js";
import { looksLikeKeyMaterial } from "../../model/redact.js";
import { ProviderError } from "../provider.js";
import type { HttpResponse, TransportFailure } from "./transport.js";

// Failures become ProviderErrors here, built only from the method, the path, the status and the
// gateway's error object: never from a request body, which may carry a private key.

export interface Call {
  node: string;
  method: string;
  path: string;
  attempts: number;
}

const where = (c: Call): string => `node ${c.node}: ${c.method} ${c.path}`;
const tries = (c: Call): string => (c.attempts > 1 ? ` (${c.attempts} attempts)` : "");

export function transportError(c: Call, f: TransportFailure, ctx: { timeoutMs: number; outcomeUnknown: boolean }): ProviderError {
  const details: Record<string, unknown> = { attempts: c.attempts, cause: f.errno };
  const unknown = ctx.outcomeUnknown ? "; the node may or may not have applied it: read it again before retrying" : "";
  if (ctx.outcomeUnknown) details.outcome = "unknown";
  switch (f.kind) {
    case "timeout":
      return new ProviderError(`${where(c)}: no answer within ${ctx.timeoutMs} ms${tries(c)}${unknown}`, "timeout", c.node, undefined, details, "check that the node is healthy, or raise the gateway's timeout (e.g. timeout: 30s)");
    case "tls":
      return new ProviderError(`${where(c)}: the node's HTTPS certificate is not trusted (${f.errno})`, "tls-untrusted", c.node, undefined, details, "set the gateway's caFile to the CA certificate that signs the nodes' admin certificates");
    case "refused":
      return new ProviderError(`${where(c)}: connection refused${tries(c)}`, "unreachable", c.node, undefined, details, "is the gateway running at that address? Start it (certform gateway start) or fix the environment's nodes:");
    default:
      return new ProviderError(`${where(c)}: connection failed (${f.errno})${tries(c)}${unknown}`, "unreachable", c.node, undefined, details, "check the node's address and that it is running");
  }
}

type GatewayError = ReturnType<typeof ApiError.parse>["error"];

/** The gateway's `{ error }` object, or undefined when the body is something else (a proxy's page, say). */
export function gatewayError(text: string): GatewayError | undefined {
  try {
    const parsed = ApiError.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

export function responseError(c: Call, res: HttpResponse, ctx: { tokenSent: boolean; tokenVariable: string | undefined; ifRevision?: number; outcomeUnknown: boolean }): ProviderError {
  const err = gatewayError(res.text);
  // The gateway redacts its messages already; a node of another build (or a proxy) may not.
  const said = err && !looksLikeKeyMaterial(err.message) ? err.message : undefined;
  const details: Record<string, unknown> = { attempts: c.attempts };
  if (err?.field !== undefined) details.field = err.field;
  if (err?.index !== undefined) details.index = err.index;

  if (res.status === 401) {
    const message = `${where(c)}: unauthorized (${ctx.tokenSent ? "the token was refused" : "no token was sent"})`;
    return new ProviderError(message, "unauthorized", c.node, 401, details, tokenHint(ctx.tokenSent, ctx.tokenVariable));
  }
  if (res.status === 423) {
    for (const k of ["holder", "purpose", "since", "expiresAt"] as const) if (err?.[k] !== undefined) details[k] = err[k];
    return new ProviderError(`${where(c)}: ${said ?? "the node is locked"}`, "locked", c.node, 423, details, "another apply holds the node's lock: wait for it to finish, or run certform force-unlock ENV if it was killed");
  }
  if (res.status === 412) {
    if (err?.revision !== undefined) details.revision = err.revision;
    if (ctx.ifRevision !== undefined) details.expected = ctx.ifRevision;
    return new ProviderError(`${where(c)}: ${said ?? "the node's revision moved"}`, "stale", c.node, 412, details, "the node changed since it was read: plan again");
  }
  if (ctx.outcomeUnknown) details.outcome = "unknown";
  const code = err?.code ?? (res.status >= 500 ? "server-error" : `http-${res.status}`);
  const message = said ?? (err ? `failed (${err.code})` : `answered ${res.status}, not with the admin API's error format`);
  const unknown = ctx.outcomeUnknown ? "; the node may or may not have applied it: read it again before retrying" : "";
  return new ProviderError(`${where(c)}: ${message}${tries(c)}${unknown}`, code, c.node, res.status, details, err?.hint);
}

/** Where the token comes from and what it must be: the node's own, given to it with --token-env. */
function tokenHint(sent: boolean, variable: string | undefined): string {
  const started = "the token the node was started with (its --token-env variable)";
  if (sent) return variable ? `set ${variable} to ${started}` : `the environment's gateway token must be ${started}`;
  if (variable) return `set ${variable} to ${started}; the gateway settings read it with token: \${env:${variable}}`;
  return `add token: \${env:VAR} to the environment's gateway settings and set VAR to ${started}`;
}

export function badResponse(c: Call, status: number, what: string): ProviderError {
  return new ProviderError(`${where(c)}: unexpected answer: ${what}`, "bad-response", c.node, status, { attempts: c.attempts }, "is this node a certform embedded gateway of a compatible version?");
}
