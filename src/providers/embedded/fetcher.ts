import { COLLECTIONS } from "../../gateway/api/admin-api.js";
import { ProviderError, type LiveNode, type LiveObject } from "../provider.js";
import type { AdminClient, ApiResult } from "./client.js";
import { badResponse } from "./errors.js";
import { liveRequests } from "./requests.js";
import { isRecord, liveObject, lockInfo, revisionOf } from "./transformer.js";

// Reading a node: five collections that must describe one state. There is no "read everything" route, so
// each list answer carries the revision it was taken at, and a read counts only if all of them agree: the
// revision changes with every write, so equal revisions mean the same contents. When they disagree (a write
// landed in between), the whole read starts again, a bounded number of times.

export const READ_ROUNDS = 5;

export async function fetchLiveNode(client: AdminClient, node: string, rounds = READ_ROUNDS): Promise<LiveNode> {
  const seen: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Status first: the node's identity and lock, and a revision to compare the lists with.
    const status = await client.call(node, { method: "GET", path: "/v1/status", safety: "idempotent" });
    const [requestList, ...lists] = await Promise.all(["requests", ...COLLECTIONS].map((collection) => client.call(node, { method: "GET", path: `/v1/${collection}`, safety: "idempotent" })));
    const statusRevision = required(node, "/v1/status", status);
    const revisions = lists.map((res, i) => required(node, `/v1/${COLLECTIONS[i]}`, res));
    revisions.push(required(node, "/v1/requests", requestList!));
    seen.push(statusRevision, ...revisions);
    if (revisions.every((r) => r === statusRevision)) {
      const requests = liveRequests(isRecord(requestList!.json) ? requestList!.json.items : undefined);
      if (!requests) throw badResponse({ node, method: "GET", path: "/v1/requests", attempts: 1 }, requestList!.status, "no requests list");
      return { node, revision: statusRevision, objects: lists.flatMap((res, i) => objectsOf(node, COLLECTIONS[i]!, res)), requests, ...statusFacts(status.json) };
    }
  }
  throw new ProviderError(
    `node ${node}: its revision kept moving while it was read (${rounds} tries, revisions ${Math.min(...seen)}…${Math.max(...seen)})`,
    "revision-unstable",
    node,
    undefined,
    { rounds },
    "something is writing to the node continuously: try again, or find the writer",
  );
}

function required(node: string, path: string, res: ApiResult): number {
  const revision = revisionOf(res.json, res.headers.etag);
  if (revision === undefined) throw badResponse({ node, method: "GET", path, attempts: 1 }, res.status, "no revision in the answer");
  return revision;
}

function objectsOf(node: string, collection: (typeof COLLECTIONS)[number], res: ApiResult): LiveObject[] {
  const items = isRecord(res.json) ? res.json.items : undefined;
  if (!Array.isArray(items)) throw badResponse({ node, method: "GET", path: `/v1/${collection}`, attempts: 1 }, res.status, "no items list");
  return items.map((item) => {
    const object = isRecord(item) ? liveObject(collection, item) : undefined;
    if (!object) throw badResponse({ node, method: "GET", path: `/v1/${collection}`, attempts: 1 }, res.status, "an item without its name");
    return object;
  });
}

function statusFacts(body: unknown): Pick<LiveNode, "identity" | "lock" | "listen"> {
  if (!isRecord(body)) return {};
  const facts: Pick<LiveNode, "identity" | "lock" | "listen"> = {};
  if (typeof (body as { listen?: unknown }).listen === "string") facts.listen = (body as { listen: string }).listen;
  if (typeof body.node === "string" && typeof body.environment === "string") facts.identity = { node: body.node, environment: body.environment };
  if (body.lock === null) facts.lock = null;
  else if (body.lock !== undefined) facts.lock = lockInfo(body.lock) ?? null;
  return facts;
}
