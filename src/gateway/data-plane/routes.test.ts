import { describe, expect, it } from "vitest";
import type { StoredEndpoint } from "../state.js";
import { buildRoutes, hasDotSegment, matchRoute, splitTarget, targetPath } from "./routes.js";

const endpoint = (name: string, url: string, path: string): StoredEndpoint => ({ name, url, path, labels: {}, updatedRevision: 1 });

describe("routes", () => {
  const routes = buildRoutes([
    endpoint("root", "http://root.internal", "/"),
    endpoint("billing", "https://billing.internal:9443/api/", "/billing"),
    endpoint("invoices", "https://invoices.internal/v2", "/billing/invoices/"),
    endpoint("ftp", "ftp://files.internal", "/files"),
    endpoint("broken", "not a url", "/broken"),
  ]);
  const route = (path: string) => {
    const m = matchRoute(routes, path);
    return m && [m.route.endpoint, m.rest];
  };

  it("picks the longest prefix, on whole segments only", () => {
    expect(route("/billing/invoices/7")).toEqual(["invoices", "/7"]);
    expect(route("/billing/invoices")).toEqual(["invoices", ""]);
    expect(route("/billing/x")).toEqual(["billing", "/x"]);
    expect(route("/billing")).toEqual(["billing", ""]);
    expect(route("/billingx")).toEqual(["root", "/billingx"]);
    expect(route("/files/a")).toEqual(["root", "/files/a"]);
  });

  it("finds nothing without a root endpoint", () => {
    expect(matchRoute(buildRoutes([endpoint("b", "http://b", "/b")]), "/c")).toBeUndefined();
  });

  it("appends what follows the prefix to the endpoint's path, and merges queries", () => {
    const u = new URL("https://billing.internal:9443/api/");
    expect(targetPath(u, "/invoices", "?x=1")).toBe("/api/invoices?x=1");
    expect(targetPath(u, "", "")).toBe("/api/");
    expect(targetPath(new URL("http://b"), "/", "")).toBe("/");
    expect(targetPath(new URL("http://b"), "", "")).toBe("/");
    expect(targetPath(new URL("http://b/v1?key=k"), "/x", "?y=2")).toBe("/v1/x?key=k&y=2");
  });

  it("refuses dot segments, also percent-encoded, and splits origin-form targets only", () => {
    expect(hasDotSegment("/billing/../admin")).toBe(true);
    expect(hasDotSegment("/billing/%2E%2e/admin")).toBe(true);
    expect(hasDotSegment("/billing/./x")).toBe(true);
    expect(hasDotSegment("/billing/..x/a.b")).toBe(false);
    expect(splitTarget("/a/b?c=d")).toEqual({ path: "/a/b", search: "?c=d" });
    expect(splitTarget("http://evil/a")).toBeUndefined();
    expect(splitTarget("*")).toBeUndefined();
  });
});
