import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { ProbeRequest, type ProbeResultBody } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import type { GatewayState } from "../state.js";
import { fail, isFailure, schemaFailure } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { readJson, sendFailure, sendJson } from "./http-io.js";

/** The PEMs of every alias bound with scope management: all that the management plane trusts. */
export function managementCas(state: GatewayState): string[] {
  const aliases = new Set([...state.trust.values()].filter((t) => t.scope === "management").map((t) => t.alias));
  return [...aliases].flatMap((a) => (state.trusted.has(a) ? [state.trusted.get(a)!.certificatePem] : []));
}

/** POST /v1/probe: a GET from the management plane, with the trust of the state current at this moment. */
export async function probeRoute(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const parsed = ProbeRequest.safeParse(body.value);
  if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
  const url = new URL(parsed.data.url);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return sendFailure(ctx.res, fail(422, "url-invalid", `url: ${quoteValue(url.protocol)} is not http: or https:`, { field: "url" }));
  }
  sendJson(ctx.res, 200, await probe(url, managementCas(ctx.store.state()), parsed.data.timeoutMs));
}

/**
 * One GET. `ca` replaces Node's root store entirely (an empty list trusts nothing), and no agent is
 * used, so neither a pooled connection nor a cached TLS session can skip the verification made
 * with the current truststore.
 */
export function probe(url: URL, ca: string[], timeoutMs: number): Promise<ProbeResultBody> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: ProbeResultBody) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const onResponse = (res: IncomingMessage) => {
      settle({ ok: true, status: res.statusCode ?? 0 });
      res.destroy();
    };
    let req: ClientRequest;
    try {
      req =
        url.protocol === "https:"
          ? httpsRequest(url, { method: "GET", ca, agent: false, rejectUnauthorized: true }, onResponse)
          : httpRequest(url, { method: "GET", agent: false }, onResponse);
    } catch (err) {
      return settle({ ok: false, error: errorOf(err) });
    }
    // A deadline for the whole exchange: a socket timeout restarts with every byte of a slow handshake.
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })), timeoutMs);
    req.on("error", (err) => settle({ ok: false, error: errorOf(err) }));
    req.on("close", () => clearTimeout(timer));
    req.end();
  });
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = err as NodeJS.ErrnoException;
  return { code: typeof e?.code === "string" ? e.code : "ERROR", message: e instanceof Error ? e.message : String(err) };
}
