import { BatchRequest, RequestPut, type BatchResultBody, type RequestViewBody } from "../api/admin-api.js";
import type { GatewayState } from "../state.js";
import { applyDelete, applyPut, deleteRequest, isFailure, nameProblem, prepareRequest, preparePut, putRequest, requestOf, requestView, schemaFailure, viewOf, type Failure, type PreparedPut, type PreparedRequest, type View } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { etag, readJson, sendFailure, sendJson } from "./http-io.js";
import { checkWrite, writeConditions } from "./preconditions.js";

const at = (failure: Failure, index: number): Failure => ({ status: failure.status, error: { ...failure.error, index } });

/**
 * POST /v1/batch: every operation applied in order to one draft of the state, committed once with
 * one revision, or not at all. A failure answers with the failing operation's status and error, its
 * `index`, and `field` relative to that operation's body.
 */
export async function batch(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const parsed = BatchRequest.safeParse(body.value);
  if (!parsed.success) return sendFailure(ctx.res, schemaFailure(parsed.error));
  const cond = writeConditions(ctx.req, ctx.now);
  if (isFailure(cond)) return sendFailure(ctx.res, cond);
  const early = checkWrite(ctx.store.state(), cond);
  if (early) return sendFailure(ctx.res, early);
  const ops = parsed.data.operations;

  // Decoding and generation need no state: done first, their failures reported in operation order below.
  const prepared: (PreparedPut | PreparedRequest | Failure | undefined)[] = [];
  for (const op of ops) {
    if (op.collection === "requests") {
      const parsed = op.op === "put" ? RequestPut.safeParse(op.body) : undefined;
      prepared.push(nameProblem("certificates", op.name) ?? (parsed === undefined ? undefined : parsed.success ? await prepareRequest(parsed.data, ctx.transferKey) : schemaFailure(parsed.error)));
      continue;
    }
    prepared.push(nameProblem(op.collection, op.name) ?? (op.op === "put" ? await preparePut(op.collection, op.body, ctx.now) : undefined));
  }

  const deleted = new Map<number, View | RequestViewBody>();
  const created = new Set<number>();
  const result = await ctx.store.commit((current) => {
    const refused = checkWrite(current, cond);
    if (refused) return refused;
    const revision = current.revision + 1;
    let draft: GatewayState = current;
    for (const [i, op] of ops.entries()) {
      const p = prepared[i];
      if (isFailure(p)) return at(p, i);
      let next: GatewayState | Failure;
      if (op.collection === "requests") {
        const had = requestOf(draft, op.name);
        if (op.op === "put" && !had) created.add(i);
        if (op.op === "delete" && had) deleted.set(i, requestView(had));
        next = op.op === "put" ? putRequest(draft, op.name, p as PreparedRequest, revision) : deleteRequest(draft, op.name);
      } else if (op.op === "put") {
        if (!draft[op.collection].has(op.name)) created.add(i);
        next = applyPut(draft, op.name, p as PreparedPut, revision);
      } else {
        const view = viewOf(draft, op.collection, op.name);
        if (view) deleted.set(i, view);
        next = applyDelete(draft, op.collection, op.name);
      }
      if (isFailure(next)) return at(next, i);
      draft = next;
    }
    return draft;
  });
  if (!result.ok) return sendFailure(ctx.res, result.failure);
  const state = result.state;
  const out: BatchResultBody = {
    revision: state.revision,
    results: ops.map((op, index) => ({
      index,
      op: op.op,
      collection: op.collection,
      name: op.name,
      status: created.has(index) ? 201 : 200,
      // A put's view is the object as the batch left it (the last write, when it is written twice).
      item: (op.op === "put" ? itemOf(state, op.collection, op.name) : deleted.get(index)) ?? {},
    })),
  };
  sendJson(ctx.res, 200, out, etag(state.revision));
}

function itemOf(state: GatewayState, collection: BatchResultBody["results"][number]["collection"], name: string): View | RequestViewBody | undefined {
  if (collection !== "requests") return viewOf(state, collection, name);
  const r = requestOf(state, name);
  return r && requestView(r);
}
