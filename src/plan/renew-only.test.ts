import { describe, expect, it } from "vitest";
import type { Plan, ResourceChangeValue } from "../model/plan.js";
import type { DesiredState } from "../stack/index.js";
import { renewalOnly, renewTargets } from "./renew-only.js";

const cert = (name: string, environment: string, generate: boolean) => ({ address: `certificates.${name}[${environment}]`, name, environment, spec: generate ? { generate: { hosts: ["a.example.com"] } } : { certificate: { file: "a.pem" } } });
const state = {
  stack: "s",
  environments: [
    { name: "dev", certificates: [cert("wild", "dev", true), cert("api", "dev", false)] },
    { name: "prod", certificates: [cert("wild", "prod", true)] },
  ],
} as unknown as DesiredState;

describe("renewTargets", () => {
  it("names every planned instance of a generated certificate, or the one asked for", () => {
    expect(renewTargets(state, "certificates.wild")).toEqual({ addresses: ["certificates.wild[dev]", "certificates.wild[prod]"] });
    expect(renewTargets(state, "certificates.wild[prod]")).toEqual({ addresses: ["certificates.wild[prod]"] });
  });

  it("refuses what is not a generated certificate, with the code and the address", () => {
    const code = (text: string) => ("problem" in renewTargets(state, text) ? (renewTargets(state, text) as { problem: { code: string } }).problem.code : "ok");
    expect(code("certificates.api")).toBe("not-generated");
    expect(code("trustedCertificates.ca")).toBe("not-generated");
    expect(code("certificates.nope")).toBe("not-declared");
    expect(code("certificates.api[prod]")).toBe("not-declared");
    expect(code("api")).toBe("bad-address");
  });
});

describe("renewalOnly", () => {
  const change = (address: string, action: ResourceChangeValue["action"], environment: string, jwks: string[] = []) => ({ address, action, environment, impact: { hosts: [], endpoints: [], jwks } }) as unknown as ResourceChangeValue;
  const op = (address: string) => ({ address, op: "put", collection: "certificates", name: address, step: 0, nodes: ["n"] });
  const plan = {
    summary: { create: 1, update: 1, replace: 1, delete: 0, "no-op": 1 },
    resource_changes: [change("certificates.wild[prod]", "replace", "prod", ["jwks.signing[prod]", "jwks.kept[prod]"]), change("jwks.signing[prod]", "update", "prod"), change("jwks.kept[prod]", "no-op", "prod"), change("endpoints.other[prod]", "create", "prod"), change("certificates.x[dev]", "create", "dev")],
    environments: [
      { name: "dev", nodes: [], operations: [op("certificates.x[dev]")] },
      { name: "prod", nodes: [], operations: [op("certificates.wild[prod]"), op("jwks.signing[prod]"), op("endpoints.other[prod]")] },
    ],
    warnings: [{ address: "endpoints.other[prod]", code: "w", message: "m" }, { address: null, code: "g", message: "m" }],
    sources: [],
  } as unknown as Plan;

  it("keeps the renewal and the JWKs it changes, and nothing else pending", () => {
    const only = renewalOnly(plan, ["certificates.wild[prod]"]);
    expect(only.resource_changes.map((c) => c.address)).toEqual(["certificates.wild[prod]", "jwks.signing[prod]"]);
    expect(only.summary).toEqual({ create: 0, update: 1, replace: 1, delete: 0, "no-op": 0 });
    expect(only.environments.map((e) => [e.name, e.operations.map((o) => o.address)])).toEqual([["prod", ["certificates.wild[prod]", "jwks.signing[prod]"]]]);
    expect(only.warnings.map((w) => w.code)).toEqual(["g"]);
  });
});
