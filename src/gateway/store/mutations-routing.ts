import type { EndpointPutBody, TrustPutBody } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import type { GatewayState, StoredEndpoint, StoredTrust } from "../state.js";
import { fail, type Failure } from "./failure.js";
import { compact, sameContent, withObject } from "./records.js";

// "/billing" and "/billing/" route the same requests.
const routeKey = (path: string): string => path.replace(/\/+$/, "") || "/";

export function putEndpoint(state: GatewayState, name: string, body: EndpointPutBody, revision: number): GatewayState | Failure {
  const other = [...state.endpoints.values()].find((e) => e.name !== name && routeKey(e.path) === routeKey(body.path));
  if (other) {
    return fail(409, "path-duplicate", `path: ${quoteValue(body.path)} is already the route of endpoint ${quoteValue(other.name)}`, { field: "path", hint: "give every endpoint its own route prefix" });
  }
  const next: StoredEndpoint = { name, url: body.url, path: body.path, labels: body.labels, updatedRevision: revision };
  const existing = state.endpoints.get(name);
  if (existing && sameContent(existing, next)) return state;
  return withObject(state, "endpoints", name, next);
}

export function putTrust(state: GatewayState, name: string, body: TrustPutBody, revision: number): GatewayState | Failure {
  if (!state.trusted.get(body.alias)) {
    const near = [...state.trusted.keys()].find((a) => a.toLowerCase() === body.alias.toLowerCase());
    return fail(422, "reference-missing", `alias: there is no trusted alias ${quoteValue(body.alias)}${near ? `; did you mean ${quoteValue(near)}?` : ""}`, {
      field: "alias",
      hint: "create the trusted certificate first (in a batch: in an earlier operation)",
    });
  }
  if (body.endpoint !== undefined && !state.endpoints.get(body.endpoint)) {
    return fail(422, "reference-missing", `endpoint: there is no endpoint ${quoteValue(body.endpoint)}`, { field: "endpoint", hint: "create the endpoint first (in a batch: in an earlier operation)" });
  }
  const next: StoredTrust = compact({
    name,
    alias: body.alias,
    endpoint: body.endpoint,
    scope: body.scope,
    hosts: body.hosts,
    required: body.required,
    labels: body.labels,
    updatedRevision: revision,
  });
  const existing = state.trust.get(name);
  if (existing && sameContent(existing, next)) return state;
  return withObject(state, "trust", name, next);
}
