import { describe, expect, it } from "vitest";
import { LABEL } from "../model/index.js";
import type { LiveObject } from "../providers/provider.js";
import { generatedCopies } from "./cluster-generated.js";
import type { DesiredObject } from "./desired-objects.js";
import type { LiveIndex } from "./live-index.js";

// Which node's generated certificate an environment keeps, and which nodes get a copy of it.

const NOW = new Date("2026-01-01T00:00:00Z");
const ADDRESS = "certificates.wild[prod]";
const labels = { [LABEL.stack]: "s", [LABEL.address]: ADDRESS, [LABEL.hash]: "h1" };
const desired: DesiredObject = {
  address: ADDRESS,
  kind: "certificates",
  resource: "wild",
  environment: "prod",
  collection: "certificates",
  objectName: "wild",
  body: { hosts: ["*.example.com"], default: false, generate: { hosts: ["*.example.com"], keyType: "ec-p256", validityDays: 60 }, labels },
  settings: { hosts: ["*.example.com"], default: false },
  summary: { object: { collection: "certificates", name: "wild" }, settings: {}, labels },
  renewBefore: "20d",
};

function node(name: string, cert?: { fp: string; daysLeft?: number; hash?: string }): LiveIndex {
  const owned = new Map<string, LiveObject>();
  if (cert) {
    const notAfter = new Date(NOW.getTime() + (cert.daysLeft ?? 50) * 86_400_000).toISOString();
    owned.set(ADDRESS, { collection: "certificates", name: "wild", labels: { ...labels, [LABEL.hash]: cert.hash ?? "h1" }, fields: { hosts: ["*.example.com"], default: false, generated: true, fingerprint256: cert.fp, keyFingerprint256: `key-${cert.fp}`, notAfter, chain: `chain-${cert.fp}` } });
  }
  return { node: name, revision: 1, owned, byName: new Map(), leftovers: [], requests: new Map() };
}

const copiesOf = (nodes: LiveIndex[]) => generatedCopies([desired], nodes, NOW).map((m) => m.get(ADDRESS));

describe("generatedCopies", () => {
  it("copies nothing when every node serves the same one, or when none holds a valid one (apply generates)", () => {
    expect(copiesOf([node("n1", { fp: "A" }), node("n2", { fp: "A" })])).toEqual([undefined, undefined]);
    expect(copiesOf([node("n1"), node("n2")])).toEqual([undefined, undefined]);
    expect(copiesOf([node("n1", { fp: "A", daysLeft: 3 }), node("n2", { fp: "A", daysLeft: 3 })])).toEqual([undefined, undefined]);
  });

  it("keeps the one most nodes serve, wherever it is in nodes: order", () => {
    const [c1, c2, c3] = copiesOf([node("n1", { fp: "A" }), node("n2", { fp: "B" }), node("n3", { fp: "B" })]);
    expect(c1).toMatchObject({ from: { node: "n2", name: "wild", fingerprint256: "B", keyFingerprint256: "key-B" }, chain: "chain-B" });
    expect(c1!.reason).toMatch(/^drift: n1 serves another certificate \(A…\); copied from n2, which serves B… \(served by 2 of 3 nodes\)$/);
    expect([c2, c3]).toEqual([undefined, undefined]);
  });

  it("without a majority, keeps the first node's in nodes: order that is valid, and says so", () => {
    const [c1, c2, c3] = copiesOf([node("n1", { fp: "A", hash: "old" }), node("n2", { fp: "B" }), node("n3", { fp: "C" })]);
    expect(c2).toBeUndefined();
    for (const c of [c1, c3]) expect(c).toMatchObject({ from: { node: "n2", fingerprint256: "B" } });
    expect(c1!.reason).toContain("n1 holds one to replace (generate settings changed)");
    expect(c3!.reason).toContain("no majority: the first node in nodes: with a valid one");
  });

  it("gives a node that lacks it, or whose copy is inside renewBefore, the one the others serve", () => {
    const [c1, c2, c3] = copiesOf([node("n1", { fp: "A" }), node("n2"), node("n3", { fp: "C", daysLeft: 5 })]);
    expect(c1).toBeUndefined();
    expect(c2!.reason).toMatch(/^drift: n2 lacks it; copied from n1/);
    expect(c3!.reason).toMatch(/^drift: n3 holds one to replace \(renewal due: expires in 5 days, renewBefore 20d/);
  });
});
