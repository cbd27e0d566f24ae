import { beforeAll, describe, expect, it } from "vitest";
import { makeCa, type Issued } from "../../../test/support/pki.js";
import { buildClientPolicies } from "./client-policy.js";
import type { StoredTrust } from "../state.js";
import type { TrustedCa } from "./truststores.js";

const binding = (name: string, alias: string, extra: Partial<StoredTrust> = {}): StoredTrust => ({ name, alias, scope: "clients", labels: {}, updatedRevision: 1, ...extra });

describe("client certificate policies per host", () => {
  const cas: Record<string, Issued> = {};
  beforeAll(async () => {
    [cas["ca-a"], cas["ca-b"]] = await Promise.all([makeCa(), makeCa()]);
  });
  const resolve = (alias: string): TrustedCa[] => (cas[alias] ? [{ alias, pem: cas[alias].pem, certificate: cas[alias].certificate }] : []);

  it("without bindings enforces nothing and asks no client", () => {
    const p = buildClientPolicies([], resolve);
    expect(p.any).toBe(false);
    expect(p.forName("api.example.com").enforced).toBe(false);
  });

  it("applies host-less bindings everywhere, and host bindings to their names and one-label wildcards", () => {
    const p = buildClientPolicies([binding("all", "ca-a"), binding("api", "ca-b", { hosts: ["API.example.com"] }), binding("wild", "ca-b", { hosts: ["*.partners.example.com"], required: false })], resolve);
    expect(p.forName(undefined).trust.aliases).toEqual(["ca-a"]);
    expect(p.forName("other.example.com").trust.aliases).toEqual(["ca-a"]);
    expect(p.forName("api.example.com").trust.aliases).toEqual(["ca-a", "ca-b"]);
    expect(p.forName("x.partners.example.com").trust.aliases).toEqual(["ca-a", "ca-b"]);
    expect(p.forName("x.y.partners.example.com").trust.aliases).toEqual(["ca-a"]);
    // required unless every binding covering the host says otherwise
    expect(p.forName("x.partners.example.com").required).toBe(true);
    expect(p.forName("api.example.com").key).toBe(p.forName("API.EXAMPLE.COM").key);
    expect(p.forName("api.example.com").key).not.toBe(p.forName("other.example.com").key);
  });

  it("is optional only when every covering binding says so", () => {
    const p = buildClientPolicies([binding("opt", "ca-a", { hosts: ["a.example.com"], required: false })], resolve);
    expect(p.forName("a.example.com")).toMatchObject({ enforced: true, required: false });
    expect(p.forName("b.example.com").enforced).toBe(false);
  });

  it("keeps a binding to a missing alias enforced: it trusts nothing rather than everything", () => {
    const p = buildClientPolicies([binding("gone", "no-such-alias")], resolve);
    expect(p.forName("a.example.com")).toMatchObject({ enforced: true, required: true });
    expect(p.forName("a.example.com").trust.cas).toEqual([]);
  });

  it("an endpoint's binding makes its hosts ask and name its CA, enforces nothing host-wide, and is the endpoint's policy", () => {
    const p = buildClientPolicies([binding("host", "ca-a", { hosts: ["a.example.com"] }), binding("ep", "ca-b", { endpoint: "billing", hosts: ["a.example.com", "b.example.com"], required: false })], resolve);
    expect(p.forName("a.example.com")).toMatchObject({ asks: true, enforced: true, required: true });
    expect(p.forName("a.example.com").trust.aliases).toEqual(["ca-a", "ca-b"]);
    expect(p.forName("a.example.com").enforcedTrust.aliases).toEqual(["ca-a"]);
    expect(p.forName("b.example.com")).toMatchObject({ asks: true, enforced: false, key: "" });
    expect([...p.forName("b.example.com").endpoints]).toEqual(["billing"]);
    expect(p.forName("c.example.com").asks).toBe(false);
    expect(p.forName(undefined).asks).toBe(false);
    expect(p.forEndpoint("billing")).toMatchObject({ required: false, hosts: ["a.example.com", "b.example.com"] });
    expect(p.forEndpoint("catalog")).toBeUndefined();
  });
});
