// What counts as a claim on one of our hosts. The process-level cases are in test/plan-host-claims.test.ts.
import { describe, expect, it } from "vitest";
import type { LiveNode, LiveObject } from "../providers/provider.js";
import type { DesiredObject } from "./desired-objects.js";
import { hostClaimProblems } from "./host-claims.js";

const ours = (name: string, hosts: string[], isDefault = false) =>
  ({ address: `certificates.${name}[dev]`, kind: "certificates", objectName: name, settings: { hosts, default: isDefault } }) as unknown as DesiredObject;
const cert = (name: string, hosts: string[], labels: Record<string, string> = {}, isDefault = false): LiveObject => ({ collection: "certificates", name, labels, fields: { hosts, default: isDefault } });
const node = (name: string, objects: LiveObject[]): LiveNode => ({ node: name, revision: 1, objects });
const messages = (desired: DesiredObject[], objects: LiveObject[]) => hostClaimProblems(desired, [node("n1", objects)], "payments").map((p) => p.message);

describe("hostClaimProblems", () => {
  it("exact beside exact, wildcard beside the same wildcard, exact under our wildcard, and two defaults are claims", () => {
    expect(messages([ours("api", ["api.example.com"])], [cert("x", ["API.Example.com."])])).toHaveLength(1);
    expect(messages([ours("wild", ["*.example.com"])], [cert("x", ["*.example.com"])])).toHaveLength(1);
    expect(messages([ours("wild", ["*.example.com"])], [cert("x", ["www.example.com"])])[0]).toContain("claims www.example.com, which it takes from *.example.com");
    expect(messages([ours("api", ["api.example.com"], true)], [cert("x", ["other.example.net"], {}, true)])[0]).toContain("is default: true too");
  });

  it("what takes nothing from us: a wildcard beside our exact host, a deeper name, our own objects, an object of the same name", () => {
    expect(messages([ours("api", ["api.example.com"])], [cert("x", ["*.example.com"])])).toEqual([]);
    expect(messages([ours("wild", ["*.example.com"])], [cert("x", ["a.b.example.com", "example.com"])])).toEqual([]);
    expect(messages([ours("api", ["api.example.com"])], [cert("api--1", ["api.example.com"], { "certform.dev/stack": "payments" })])).toEqual([]);
    expect(messages([ours("api", ["api.example.com"])], [cert("API", ["api.example.com"])])).toEqual([]);
    expect(messages([ours("api", ["api.example.com"])], [cert("x", ["api.example.com"], {}, true)])).toHaveLength(1);
    expect(messages([ours("api", ["api.example.com"], true)], [cert("x", ["other.example.com"], {}, false)])).toEqual([]);
  });

  it("one error per claim, naming every node where it is found", () => {
    const theirs = cert("theirs", ["api.example.com"], { "certform.dev/stack": "other", "certform.dev/address": "certificates.theirs[dev]" });
    const problems = hostClaimProblems([ours("api", ["api.example.com"])], [node("n1", [theirs]), node("n2", [theirs])], "payments");
    expect(problems).toEqual([
      {
        address: "certificates.api[dev]",
        code: "host-claimed",
        message: 'certificates.api[dev] serves api.example.com, but certificates "theirs" on n1, n2 (owned by stack "other" as certificates.theirs[dev]) claims api.example.com too: the gateway would serve whichever was written last',
        hint: 'remove api.example.com from stack "other", or drop api.example.com from certificates.api[dev]',
      },
    ]);
  });
});
