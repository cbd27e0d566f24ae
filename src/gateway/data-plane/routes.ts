import type { StoredEndpoint } from "../state.js";

export interface Route {
  endpoint: string;
  /** The endpoint's path without a trailing slash; "" for the root. */
  prefix: string;
  target: URL;
}

export interface RouteMatch {
  route: Route;
  /** What follows the prefix: "" or "/…". */
  rest: string;
}

/** Routes, longest prefix first. Endpoints whose URL is not http(s) are left out: nothing can reach them. */
export function buildRoutes(endpoints: Iterable<StoredEndpoint>): Route[] {
  const routes: Route[] = [];
  for (const e of endpoints) {
    let target: URL;
    try {
      target = new URL(e.url);
    } catch {
      continue;
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") continue;
    const path = e.path.startsWith("/") ? e.path : `/${e.path}`;
    routes.push({ endpoint: e.name, prefix: path.replace(/\/+$/, ""), target });
  }
  return routes.sort((a, b) => b.prefix.length - a.prefix.length || (a.endpoint < b.endpoint ? -1 : 1));
}

/** A prefix matches whole segments only: /billing serves /billing and /billing/x, never /billingx. */
export function matchRoute(routes: readonly Route[], path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (path === route.prefix || path.startsWith(`${route.prefix}/`)) return { route, rest: path.slice(route.prefix.length) };
  }
  return undefined;
}

/** The backend's request target: the endpoint URL's path with `rest` appended, then both queries. */
export function targetPath(target: URL, rest: string, search: string): string {
  const base = target.pathname || "/";
  const path = rest === "" ? base : base.replace(/\/+$/, "") + rest;
  const queries = [target.search.slice(1), search.slice(1)].filter((q) => q !== "");
  return queries.length > 0 ? `${path}?${queries.join("&")}` : path;
}

/**
 * "." and ".." segments (also percent-encoded) are refused rather than forwarded: a backend that
 * resolves them would let a request climb out of the endpoint URL's path.
 */
export function hasDotSegment(path: string): boolean {
  return path.split("/").some((segment) => {
    const s = segment.replace(/%2e/gi, ".");
    return s === "." || s === "..";
  });
}

/** Splits an origin-form request target; undefined for anything else (absolute-form, "*"). */
export function splitTarget(url: string | undefined): { path: string; search: string } | undefined {
  if (!url || !url.startsWith("/")) return undefined;
  const q = url.indexOf("?");
  return q < 0 ? { path: url, search: "" } : { path: url.slice(0, q), search: url.slice(q) };
}
