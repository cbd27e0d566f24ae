import { describe, expect, it } from "vitest";
import { LABEL } from "../model/index.js";
import type { LiveNode, LiveObject } from "../providers/provider.js";
import { expiryReport } from "./expiry.js";
import { listReport } from "./list.js";
import type { Inventory } from "./read-inventory.js";

const NOW = new Date("2030-06-15T12:00:00Z");
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();

const cert = (name: string, notAfter: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): LiveObject => ({
  collection: "certificates",
  name,
  labels,
  fields: { hosts: [`${name}.example.com`], notBefore: day(-30), notAfter, fingerprint256: `FP-${name}-${notAfter}`, ...extra },
});
const trusted = (alias: string, notAfter: string): LiveObject => ({ collection: "trusted", name: alias, labels: {}, fields: { notAfter, fingerprint256: `FP-${alias}` } });
const node = (url: string, objects: LiveObject[]): LiveNode => ({ node: url, revision: 3, objects });
const owned = (address: string) => ({ [LABEL.stack]: "payments", [LABEL.address]: address });

function inventory(nodes: LiveNode[]): Inventory {
  return { stack: "payments", alerts: { warnBefore: "30d", criticalBefore: "7d" }, environments: [{ name: "prod", nodes: nodes.map((n) => n.node), read: nodes }], problems: [] };
}

describe("expiryReport", () => {
  it("merges what nodes hold alike, keeps versions that differ apart, and orders by notAfter", () => {
    const shared = cert("api", day(20), {}, owned("certificates.api[prod]"));
    const inv = inventory([
      node("http://a", [shared, cert("old", day(-1)), trusted("partners", day(400)), cert("drift", day(5))]),
      node("http://b", [shared, trusted("partners", day(400)), cert("drift", day(90))]),
    ]);
    const r = expiryReport(inv, { now: NOW });
    expect(r.certificates.map((c) => [c.name, c.status, c.daysLeft, c.node])).toEqual([
      ["old", "Expired", -1, "http://a"],
      ["drift", "Critical", 5, "http://a"],
      ["api", "Warning", 20, "http://a, http://b"],
      ["drift", "Active", 90, "http://b"],
      ["partners", "Active", 400, "http://a, http://b"],
    ]);
    expect(r.certificates[2]).toMatchObject({ owner: "payments", address: "certificates.api[prod]" });
    expect(r.certificates[4]).toMatchObject({ kind: "trustedCertificates", alias: "partners", hosts: [] });
    expect(r).toMatchObject({ within: "30d", filtered: false, inside: 3 });
  });

  it("--within counts notAfter − now ≤ the window, expired included; a certificate not valid yet says so", () => {
    const inv = inventory([node("http://a", [cert("edge", new Date(NOW.getTime() + 10 * 86_400_000).toISOString()), cert("future", day(100), { notBefore: day(2) }), cert("gone", day(-3))])]);
    expect(expiryReport(inv, { now: NOW, within: "10d" }).certificates.map((c) => c.name)).toEqual(["gone", "edge"]);
    expect(expiryReport(inv, { now: NOW, within: "239h" }).certificates.map((c) => c.name)).toEqual(["gone"]);
    expect(expiryReport(inv, { now: NOW }).certificates.find((c) => c.name === "future")!.status).toBe("NotYetValid");
  });
});

describe("listReport", () => {
  it("lists every kind with its owner, and the nodes a version is missing from", () => {
    const inv = inventory([
      node("http://a", [cert("api", day(20), {}, owned("certificates.api[prod]")), { collection: "jwks", name: "signing", labels: {}, fields: { kid: "k1", use: "sig", source: null } }]),
      node("http://b", [cert("api", day(20), {}, owned("certificates.api[prod]"))]),
    ]);
    const r = listReport(inv);
    expect(r.objects.map((o) => [o.kind, o.name, o.owner, o.fingerprint, o.nodes, o.missingFrom, o.detail])).toEqual([
      ["certificates", "api", "payments", `FP-api-${day(20)}`, ["http://a", "http://b"], [], ""],
      ["jwks", "signing", null, "k1", ["http://a"], ["http://b"], "sig key standalone"],
    ]);
  });
});
