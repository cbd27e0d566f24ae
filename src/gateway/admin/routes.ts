import { COLLECTIONS, type Collection } from "../api/admin-api.js";

export type Route =
  | { kind: "status" }
  | { kind: "metrics" }
  | { kind: "batch" }
  | { kind: "lock" }
  | { kind: "lock-renew" }
  | { kind: "probe" }
  | { kind: "collection"; collection: Collection }
  | { kind: "object"; collection: Collection; name: string }
  | { kind: "certificate-copy"; name: string }
  | { kind: "requests" }
  | { kind: "request"; name: string }
  | { kind: "request-seal"; name: string }
  | { kind: "transfer-key" }
  | { kind: "acme-challenge"; token: string };

/** The methods each kind of route answers; any other gets 405 with this Allow list. */
export const METHODS: Record<Route["kind"], readonly string[]> = {
  status: ["GET"],
  metrics: ["GET"],
  batch: ["POST"],
  lock: ["POST", "DELETE"],
  "lock-renew": ["POST"],
  probe: ["POST"],
  collection: ["GET", "POST"],
  object: ["GET", "PUT", "DELETE"],
  "certificate-copy": ["POST"],
  requests: ["GET"],
  request: ["GET"],
  "request-seal": ["POST"],
  "transfer-key": ["GET"],
  "acme-challenge": ["PUT", "DELETE"],
};

const FIXED: Record<string, Route> = {
  "/v1/status": { kind: "status" },
  "/metrics": { kind: "metrics" },
  "/v1/batch": { kind: "batch" },
  "/v1/lock": { kind: "lock" },
  "/v1/lock/renew": { kind: "lock-renew" },
  "/v1/probe": { kind: "probe" },
  "/v1/requests": { kind: "requests" },
  "/v1/transfer-key": { kind: "transfer-key" },
};

const isCollection = (s: string): s is Collection => (COLLECTIONS as readonly string[]).includes(s);

/** The route of a path (query already split off), or undefined for 404. */
export function matchRoute(pathname: string): Route | undefined {
  if (Object.hasOwn(FIXED, pathname)) return FIXED[pathname];
  const acme = /^\/v1\/acme\/challenges\/([A-Za-z0-9_-]{1,256})$/.exec(pathname);
  if (acme) return { kind: "acme-challenge", token: acme[1]! };
  const request = /^\/v1\/requests\/([^/]+)(\/seal)?$/.exec(pathname);
  if (request) {
    let name: string;
    try {
      name = decodeURIComponent(request[1]!);
    } catch {
      return undefined;
    }
    return request[2] ? { kind: "request-seal", name } : { kind: "request", name };
  }
  const parts = pathname.split("/");
  // ["", "v1", collection], ["", "v1", collection, name] or ["", "v1", "certificates", name, "copy"]
  if (parts[0] !== "" || parts[1] !== "v1" || parts.length < 3 || parts.length > 5) return undefined;
  if (parts.length === 5 && (parts[2] !== "certificates" || parts[4] !== "copy")) return undefined;
  const collection = parts[2]!;
  if (!isCollection(collection)) return undefined;
  if (parts.length === 3) return { kind: "collection", collection };
  let name: string;
  try {
    name = decodeURIComponent(parts[3]!);
  } catch {
    return undefined;
  }
  if (name === "") return undefined;
  return parts.length === 5 ? { kind: "certificate-copy", name } : { kind: "object", collection, name };
}
