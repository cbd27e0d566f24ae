import { beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { contextCache } from "./contexts.js";
import { storedCert } from "../../../test/support/data-plane.js";
import { caSet, EMPTY_CA_SET } from "./truststores.js";

let ca: Issued;
let a: Issued;
let b: Issued;
beforeAll(async () => {
  ca = await makeCa();
  [a, b] = await Promise.all([issue({ issuer: ca, hosts: ["a.example.com"] }), issue({ issuer: ca, hosts: ["a.example.com"] })]);
});

describe("the TLS context cache", () => {
  it("makes one context per certificate material and client CA set, and carries it across applies", () => {
    const cert = storedCert("api", a, { revision: 1 });
    const cache = contextCache(() => {});
    const ctx = cache.get(cert, EMPTY_CA_SET);
    expect(ctx).toBeDefined();
    expect(cache.get(cert, EMPTY_CA_SET)).toBe(ctx);

    // A later revision with the same material (a label changed) keeps the context.
    const relabelled = { ...cert, updatedRevision: 7, labels: { owner: "x" } };
    cache.carry([{ name: "api", before: cert, after: relabelled }]);
    expect(cache.get(relabelled, EMPTY_CA_SET)).toBe(ctx);

    const clients = caSet(["ca"], () => [{ alias: "ca", pem: ca.pem, certificate: ca.certificate }]);
    expect(cache.get(relabelled, clients)).not.toBe(ctx);

    // New material: a new context.
    const replaced = storedCert("api", b, { revision: 8 });
    cache.carry([{ name: "api", before: relabelled, after: replaced }]);
    const fresh = cache.get(replaced, EMPTY_CA_SET);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(ctx);
  });

  it("makes no context before it is asked for one, and reports a certificate that cannot be loaded", () => {
    const warnings: string[] = [];
    const cache = contextCache((m) => warnings.push(m));
    const broken = { ...storedCert("broken", a), keyPem: b.keyPem };
    cache.carry([{ name: "broken", before: undefined, after: broken }]);
    expect(warnings).toEqual([]);
    expect(cache.get(broken, EMPTY_CA_SET)).toBeUndefined();
    expect(cache.get(broken, EMPTY_CA_SET)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/certificate "broken" cannot be loaded/);
  });
});
