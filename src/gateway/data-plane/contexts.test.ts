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
    const first = contextCache(new Map(), [cert], () => {});
    const ctx = first.get(cert, EMPTY_CA_SET);
    expect(ctx).toBeDefined();
    expect(first.get(cert, EMPTY_CA_SET)).toBe(ctx);

    // A later revision with the same material (a label changed) keeps the context.
    const relabelled = { ...cert, updatedRevision: 7, labels: { owner: "x" } };
    const second = contextCache(first.entries(), [relabelled], () => {});
    expect(second.get(relabelled, EMPTY_CA_SET)).toBe(ctx);

    const clients = caSet(["ca"], () => [{ alias: "ca", pem: ca.pem, certificate: ca.certificate }]);
    expect(second.get(relabelled, clients)).not.toBe(ctx);

    // New material: a new context, and the old one is not carried further.
    const replaced = storedCert("api", b, { revision: 8 });
    const third = contextCache(second.entries(), [replaced], () => {});
    expect(third.entries().size).toBe(0);
    expect(third.get(replaced, EMPTY_CA_SET)).not.toBe(ctx);
  });
});
