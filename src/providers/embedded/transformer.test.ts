import { describe, expect, it } from "vitest";
import { batchOperation, liveObject, lockInfo, revisionOf } from "./transformer.js";

describe("liveObject", () => {
  it("takes identity, labels and bookkeeping out of a view; a trusted certificate is known by its alias", () => {
    expect(liveObject("trusted", { alias: "ca", certificate: "PEM", fingerprint256: "AB", labels: { a: "b" }, updatedRevision: 3 })).toEqual({
      collection: "trusted",
      name: "ca",
      labels: { a: "b" },
      fields: { certificate: "PEM", fingerprint256: "AB" },
      updatedRevision: 3,
    });
  });

  it("keeps a trust binding's alias as content, and drops a key a node should never have sent", () => {
    expect(liveObject("trust", { name: "t", alias: "ca", scope: "environment", labels: {} })?.fields).toEqual({ alias: "ca", scope: "environment" });
    expect(liveObject("certificates", { name: "c", chain: "PEM", key: "-----BEGIN PRIVATE KEY-----", labels: {} })?.fields).toEqual({ chain: "PEM" });
  });

  it("refuses a view without its identity", () => {
    expect(liveObject("endpoints", { url: "http://x" })).toBeUndefined();
    expect(liveObject("trusted", { name: "ca" })).toBeUndefined();
  });
});

describe("revisionOf", () => {
  it("reads the body's revision, else the ETag", () => {
    expect(revisionOf({ revision: 7 }, '"8"')).toBe(7);
    expect(revisionOf({}, '"8"')).toBe(8);
    expect(revisionOf([], 'W/"9"')).toBe(9);
    expect(revisionOf({ revision: "7" }, undefined)).toBeUndefined();
    expect(revisionOf({}, '"x"')).toBeUndefined();
  });
});

describe("lockInfo and batchOperation", () => {
  it("reads a lock view", () => {
    expect(lockInfo({ holder: "h", purpose: "p", since: "s", expiresAt: "e" })).toEqual({ holder: "h", purpose: "p", since: "s", expiresAt: "e" });
    expect(lockInfo({ holder: "h" })).toBeUndefined();
  });

  it("passes a put's body through and sends a delete without one", () => {
    expect(batchOperation({ op: "put", collection: "endpoints", name: "e", body: { url: "u" } })).toEqual({ op: "put", collection: "endpoints", name: "e", body: { url: "u" } });
    expect(batchOperation({ op: "delete", collection: "jwks", name: "j" })).toEqual({ op: "delete", collection: "jwks", name: "j" });
  });
});
