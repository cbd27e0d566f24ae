import type { Collection } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import { applyDelete, applyPut, fail, isFailure, listView, nameProblem, NOUN, preparePut, viewOf, type View } from "../store/index.js";
import type { RequestContext } from "./context.js";
import { etag, readJson, sendFailure, sendJson } from "./http-io.js";
import { checkWrite, writeConditions } from "./preconditions.js";

/** The body member that names a new object in POST /v1/{collection}. */
const NAME_KEY = (collection: Collection): string => (collection === "trusted" ? "alias" : "name");

export function listObjects(ctx: RequestContext, collection: Collection): void {
  const state = ctx.store.state();
  sendJson(ctx.res, 200, { revision: state.revision, items: listView(state, collection) }, etag(state.revision));
}

export function getObject(ctx: RequestContext, collection: Collection, name: string): void {
  const state = ctx.store.state();
  const view = viewOf(state, collection, name);
  if (!view) return sendFailure(ctx.res, fail(404, "not-found", `there is no ${NOUN[collection]} ${quoteValue(name)}`));
  sendJson(ctx.res, 200, view, etag(state.revision));
}

/** PUT /v1/{collection}/{name}: create or replace. */
export async function putObject(ctx: RequestContext, collection: Collection, name: string): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const bad = nameProblem(collection, name);
  if (bad) return sendFailure(ctx.res, bad);
  await write(ctx, collection, name, body.value, false);
}

/** POST /v1/{collection}: create only, named by `name` (`alias` for trusted) in the body. */
export async function postObject(ctx: RequestContext, collection: Collection): Promise<void> {
  const body = await readJson(ctx.req, ctx.maxBodyBytes);
  if (isFailure(body)) return sendFailure(ctx.res, body);
  const key = NAME_KEY(collection);
  const value = body.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return sendFailure(ctx.res, fail(422, "invalid", "the body must be a JSON object"));
  }
  const name = (value as Record<string, unknown>)[key];
  if (typeof name !== "string") return sendFailure(ctx.res, fail(422, "invalid", `${key}: required, a string`, { field: key }));
  const bad = nameProblem(collection, name, key);
  if (bad) return sendFailure(ctx.res, bad);
  // For trust bindings `alias` is a member of the object itself; only the naming key is taken out.
  const { [key]: _name, ...rest } = value as Record<string, unknown>;
  await write(ctx, collection, name, rest, true);
}

async function write(ctx: RequestContext, collection: Collection, name: string, body: unknown, createOnly: boolean): Promise<void> {
  const cond = writeConditions(ctx.req, ctx.now);
  if (isFailure(cond)) return sendFailure(ctx.res, cond);
  // Early, so that a writer without the lock learns that before its body is checked (or a key
  // generated for nothing); checked again in the commit, which is what counts.
  const early = checkWrite(ctx.store.state(), cond);
  if (early) return sendFailure(ctx.res, early);
  const prepared = await preparePut(collection, body, ctx.now);
  if (isFailure(prepared)) return sendFailure(ctx.res, prepared);
  let created = false;
  const result = await ctx.store.commit((current) => {
    const refused = checkWrite(current, cond);
    if (refused) return refused;
    created = !current[collection].has(name);
    if (createOnly && !created) return fail(409, "exists", `${NOUN[collection]} ${quoteValue(name)} already exists`, { field: NAME_KEY(collection), hint: `replace it with PUT /v1/${collection}/${encodeURIComponent(name)}` });
    return applyPut(current, name, prepared, current.revision + 1);
  });
  if (!result.ok) return sendFailure(ctx.res, result.failure);
  sendJson(ctx.res, created ? 201 : 200, viewOf(result.state, collection, name), etag(result.state.revision));
}

/** DELETE /v1/{collection}/{name}: answers with the view of what was deleted. */
export async function deleteObject(ctx: RequestContext, collection: Collection, name: string): Promise<void> {
  const cond = writeConditions(ctx.req, ctx.now);
  if (isFailure(cond)) return sendFailure(ctx.res, cond);
  let deleted: View | undefined;
  const result = await ctx.store.commit((current) => {
    const refused = checkWrite(current, cond);
    if (refused) return refused;
    deleted = viewOf(current, collection, name);
    return applyDelete(current, collection, name);
  });
  if (!result.ok) return sendFailure(ctx.res, result.failure);
  sendJson(ctx.res, 200, deleted, etag(result.state.revision));
}
