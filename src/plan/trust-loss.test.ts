// The pure part of the trust-loss warnings: which endpoints lose trust on which nodes. The process-level
// cases (real backends, real gateway, the CLI) are in test/plan-trust-loss.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import type { LiveNode, LiveObject } from "../providers/provider.js";
import { leaf, makeCa, type Issued } from "../../test/support/pki.js";
import type { NodeOperation } from "./diff-node.js";
import { trustLossWarnings } from "./trust-loss.js";

let a: Issued;
let b: Issued;
let backend: Issued;
const NOW = new Date();
const ours = (address: string) => ({ "certform.dev/stack": "payments", "certform.dev/address": address });
const obj = (collection: LiveObject["collection"], name: string, fields: Record<string, unknown>, labels: Record<string, string> = {}): LiveObject => ({ collection, name, fields, labels });

function node(name: string, extra: LiveObject[] = []): LiveNode {
  return {
    node: name,
    revision: 1,
    objects: [
      obj("trusted", "a", { certificate: a.pem }, ours("trustedCertificates.a[dev]")),
      obj("trusted", "b", { certificate: b.pem }, ours("trustedCertificates.b[dev]")),
      obj("endpoints", "billing", { url: "https://billing.internal", path: "/billing" }, ours("endpoints.billing[dev]")),
      obj("trust", "billing-a", { alias: "a", endpoint: "billing" }, ours("trustAssignments.billing-a[dev]")),
      obj("trust", "everywhere-b", { alias: "b", scope: "environment" }, ours("trustAssignments.everywhere-b[dev]")),
      ...extra,
    ],
  };
}

const del = (collection: NodeOperation["collection"], name: string, address: string): NodeOperation => ({ address, op: "delete", collection, name, step: 10 });

beforeAll(async () => {
  [a, b] = await Promise.all([makeCa({ subject: "CN=A" }), makeCa({ subject: "CN=B" })]);
  backend = await leaf({ issuer: a, hosts: ["billing.internal"] });
});

describe("trustLossWarnings", () => {
  it("names the nodes where only some nodes lose trust (drift)", () => {
    const drop = del("trust", "everywhere-b", "trustAssignments.everywhere-b[dev]");
    const r = trustLossWarnings({ stack: "payments", nodes: [node("n1"), node("n2")], operations: [[drop], []], backends: new Map(), now: NOW });
    expect(r.warnings).toEqual([{ address: "endpoints.billing[dev]", code: "trust-reduced", message: expect.stringMatching(/loses "b" \(trustAssignments\.everywhere-b\[dev\] is deleted\) and keeps "a";.*\(on n1\)$/) }]);
    expect(r.unchecked).toEqual(["https://billing.internal"]);
  });

  it("says nothing when every node loses the same, beyond one warning; and judges the captured chain", () => {
    const drop = del("trust", "everywhere-b", "trustAssignments.everywhere-b[dev]");
    const backends = new Map([["https://billing.internal", { chain: [backend.certificate] }]]);
    const r = trustLossWarnings({ stack: "payments", nodes: [node("n1"), node("n2")], operations: [[drop], [drop]], backends, now: NOW });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.message).toMatch(/still verifies against what remains$/);
    expect(r.unchecked).toEqual([]);
  });

  it("warns for another stack's endpoint that relied on our environment-wide trust", () => {
    const theirs = obj("endpoints", "ledger", { url: "https://ledger.internal", path: "/ledger" }, { "certform.dev/stack": "other" });
    const r = trustLossWarnings({ stack: "payments", nodes: [node("n1", [theirs])], operations: [[del("trust", "everywhere-b", "trustAssignments.everywhere-b[dev]")]], backends: new Map(), now: NOW });
    expect(r.warnings).toContainEqual({ address: null, code: "trust-removed", message: expect.stringMatching(/^endpoint "ledger" \(stack "other"\) will reject its backend: it loses "b"/) });
  });

  it("a mutual-TLS binding naming the endpoint is no backend trust; http endpoints and deleted endpoints are not warned about", () => {
    const clients = obj("trust", "partners", { alias: "a", scope: "clients", endpoint: "billing" }, ours("trustAssignments.partners[dev]"));
    const plain = obj("endpoints", "plain", { url: "http://plain.internal", path: "/plain" }, ours("endpoints.plain[dev]"));
    const ops = [del("trust", "partners", "trustAssignments.partners[dev]"), del("trust", "everywhere-b", "trustAssignments.everywhere-b[dev]")];
    const r = trustLossWarnings({ stack: "payments", nodes: [node("n1", [clients, plain])], operations: [ops], backends: new Map(), now: NOW });
    expect(r.warnings.map((w) => w.address)).toEqual(["endpoints.billing[dev]"]);
    expect(r.warnings[0]!.message).not.toContain("partners");
    const gone = trustLossWarnings({ stack: "payments", nodes: [node("n1")], operations: [[del("endpoints", "billing", "endpoints.billing[dev]"), del("trust", "billing-a", "trustAssignments.billing-a[dev]")]], backends: new Map(), now: NOW });
    expect(gone.warnings).toEqual([]);
  });

  it("an alias whose certificate goes while its binding stays loses trust too", () => {
    const r = trustLossWarnings({ stack: "payments", nodes: [node("n1")], operations: [[del("trusted", "A", "trustedCertificates.a[dev]")]], backends: new Map(), now: NOW });
    expect(r.warnings[0]!.message).toContain('loses "a" (trustedCertificates.a[dev] is deleted) and keeps "b"');
  });
});
