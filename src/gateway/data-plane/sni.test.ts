import { describe, expect, it } from "vitest";
import type { StoredCertificate } from "../state.js";
import { buildSniTable, selectCertificate, sniIndex } from "./sni.js";

const cert = (name: string, hosts: string[], extra: Partial<StoredCertificate> = {}): StoredCertificate => ({
  name, hosts, default: false, chainPem: "", keyPem: "", generated: false, labels: {}, updatedRevision: 1, ...extra,
});
const pick = (certs: StoredCertificate[], sni: string | undefined) => selectCertificate(buildSniTable(certs), sni)?.name;

describe("certificate selection by SNI", () => {
  const exact = cert("exact", ["api.example.com"]);
  const wild = cert("wild", ["*.example.com"]);
  const fallback = cert("fallback", ["other.example.net"], { default: true });

  it("matches exact names case-insensitively", () => {
    expect(pick([exact], "api.example.com")).toBe("exact");
    expect(pick([exact], "API.Example.COM")).toBe("exact");
    expect(pick([cert("upper", ["API.EXAMPLE.COM"])], "api.example.com")).toBe("upper");
  });

  it("lets a wildcard stand for exactly one label", () => {
    expect(pick([wild], "www.example.com")).toBe("wild");
    expect(pick([wild], "a.b.example.com")).toBeUndefined();
    expect(pick([wild], "example.com")).toBeUndefined();
    expect(pick([wild], "wwwexample.com")).toBeUndefined();
  });

  it("prefers an exact name to a wildcard, whatever their revisions", () => {
    expect(pick([cert("wild", ["*.example.com"], { updatedRevision: 9 }), exact], "api.example.com")).toBe("exact");
  });

  it("serves the default to no SNI and to unknown names, and nothing without one", () => {
    expect(pick([exact, fallback], undefined)).toBe("fallback");
    expect(pick([exact, fallback], "unknown.example.org")).toBe("fallback");
    expect(pick([exact, wild, fallback], "a.b.example.com")).toBe("fallback");
    expect(pick([exact, wild], undefined)).toBeUndefined();
    expect(pick([exact, wild], "unknown.example.org")).toBeUndefined();
  });

  it("gives a host claimed twice to the newest write, and the default to the newest default", () => {
    const old = cert("old", ["api.example.com"], { updatedRevision: 3, default: true });
    const replacement = cert("new", ["api.example.com"], { updatedRevision: 4, default: true });
    expect(pick([old, replacement], "api.example.com")).toBe("new");
    expect(pick([replacement, old], "api.example.com")).toBe("new");
    expect(pick([replacement, old], undefined)).toBe("new");
    // Equal revisions: stable, by name.
    expect(pick([cert("b", ["x.example.com"]), cert("a", ["x.example.com"])], "x.example.com")).toBe("a");
  });
});

describe("the SNI table kept up to date by applies", () => {
  it("hands a name to the next claimant when its holder goes, and drops it when none is left", () => {
    const index = sniIndex();
    const old = cert("old", ["api.example.com", "*.example.com"], { updatedRevision: 1, default: true });
    const replacement = cert("new", ["api.example.com"], { updatedRevision: 2 });
    index.update([old], []);
    index.update([replacement], []);
    expect(selectCertificate(index.table, "api.example.com")?.name).toBe("new");
    index.update([], [replacement]);
    expect(selectCertificate(index.table, "api.example.com")?.name).toBe("old");
    expect(selectCertificate(index.table, "www.example.com")?.name).toBe("old");
    index.update([], [old]);
    expect(selectCertificate(index.table, "api.example.com")).toBeUndefined();
    expect(index.table.fallback).toBeUndefined();
    expect([index.table.exact.size, index.table.wildcard.size]).toEqual([0, 0]);
  });

  it("changes nothing when a certificate it is given is malformed", () => {
    const index = sniIndex();
    const good = cert("good", ["api.example.com"]);
    index.update([good], []);
    expect(() => index.update([cert("bad", [42 as unknown as string])], [good])).toThrow();
    expect(selectCertificate(index.table, "api.example.com")?.name).toBe("good");
  });
});
