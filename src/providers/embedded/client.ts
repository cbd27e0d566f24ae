import type { IncomingHttpHeaders } from "node:http";
import { ProviderError } from "../provider.js";
import { badResponse, responseError, transportError, type Call } from "./errors.js";
import { backoffDelay, serverTrouble, shouldRetry, sleep, type Safety } from "./retry.js";
import type { ClientSettings } from "./settings.js";
import { createTransport, type Outcome } from "./transport.js";

// The admin API as JSON calls: the bearer token on every request, bounded retries with backoff, and every
// failure turned into a ProviderError. Nothing here knows what the routes mean.

export interface ApiCall {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** Path and query under the node's URL, e.g. /v1/lock?force=true. */
  path: string;
  /** Serialised here, sent as JSON, and never quoted in an error or a log. */
  body?: unknown;
  headers?: Record<string, string>;
  safety: Safety;
  /** For a 412's details: the revision the caller expected. */
  ifRevision?: number;
}

export interface ApiResult {
  status: number;
  headers: IncomingHttpHeaders;
  json: unknown;
}

export interface AdminClient {
  call(node: string, call: ApiCall): Promise<ApiResult>;
  /** How many times a call may be sent again, and the wait before retry number `n`: for callers that retry on their own terms. */
  retries: number;
  backoff(n: number): number;
  close(): void;
}

export function createAdminClient(settings: ClientSettings): AdminClient {
  const transport = createTransport({ ca: settings.ca, timeoutMs: settings.timeoutMs });
  const auth: Record<string, string> = settings.token === undefined ? {} : { authorization: `Bearer ${settings.token}` };

  return {
    async call(node, spec) {
      const url = nodeUrl(node, spec.path);
      const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
      // A batch gets its own connection so that a failure can be told apart: never reached the node, or maybe acted on.
      const request = { method: spec.method, url, headers: { ...auth, ...spec.headers }, body, fresh: spec.safety === "once" };
      let outcome: Outcome;
      let attempt = 0;
      for (;;) {
        attempt++;
        settings.onAttempt?.({ node, method: spec.method, path: spec.path, attempt });
        outcome = await transport.send(request);
        if (attempt > settings.retries || !shouldRetry(spec.safety, outcome)) break;
        await sleep(backoffDelay(attempt, settings.backoff));
      }
      const c: Call = { node, method: spec.method, path: url.pathname + url.search, attempts: attempt };
      if (!outcome.ok) {
        throw transportError(c, outcome.failure, { timeoutMs: settings.timeoutMs, outcomeUnknown: spec.safety === "once" && outcome.failure.sent });
      }
      const res = outcome.response;
      if (res.status < 200 || res.status > 299) {
        throw responseError(c, res, {
          tokenSent: settings.token !== undefined,
          tokenVariable: settings.tokenVariable,
          outcomeUnknown: spec.safety === "once" && serverTrouble(res.status),
          ...(spec.ifRevision !== undefined ? { ifRevision: spec.ifRevision } : {}),
        });
      }
      try {
        return { status: res.status, headers: res.headers, json: JSON.parse(res.text) as unknown };
      } catch {
        throw badResponse(c, res.status, "the body is not JSON");
      }
    },
    retries: settings.retries,
    backoff: (n) => backoffDelay(n, settings.backoff),
    close: () => transport.close(),
  };
}

/** The node's URL with `path` under it; a node may sit under a path prefix behind a reverse proxy. */
export function nodeUrl(node: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(node);
  } catch {
    throw new ProviderError(`node ${JSON.stringify(node)} is not a URL`, "invalid-node", node, undefined, undefined, 'write each node as its admin URL, e.g. "http://127.0.0.1:8081"');
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new ProviderError(`node ${node}: an embedded gateway's admin URL is http:// or https://, not ${base.protocol}//`, "invalid-node", node, undefined, undefined, 'e.g. "https://gw-1.internal:8081"');
  }
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, "")}${path}`);
}
