// Many certificates at once (a start, a large apply): their TLS contexts are made at the first handshake
// that needs each, not before, and the guarantees hold as they do for contexts made at the apply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { handshake, startPlane, state, storedCert, type Running } from "../../../test/support/data-plane.js";
import type { StoredCertificate } from "../state.js";

let pool: Issued[];
let gw: Running;
let certificates: StoredCertificate[];
const COUNT = 300;

const fp = (c: Issued) => c.certificate.fingerprint256;
// Host i is served by a certificate of material i % 4; the stored hosts are what the data plane trusts.
const materialOf = (i: number) => pool[i % pool.length]!;

beforeAll(async () => {
  const ca = await makeCa();
  pool = await Promise.all([0, 1, 2, 3].map((i) => issue({ issuer: ca, hosts: [`m${i}.example.com`] })));
  certificates = Array.from({ length: COUNT }, (_, i) => storedCert(`c${i}`, materialOf(i), { hosts: [`h${i}.example.com`], default: i === 0 }));
  // One certificate whose key does not belong to it, among the many.
  certificates[150] = { ...certificates[150]!, keyPem: materialOf(151).keyPem };
  gw = await startPlane(state({ revision: 1, certificates }));
});
afterAll(() => gw?.close());

describe("TLS contexts of many certificates", () => {
  it("serves each host its own certificate from its first handshake, and refuses the broken one's host", async () => {
    // Not made at the apply: nothing was loaded yet, so nothing has been reported.
    expect(gw.warnings).toEqual([]);
    for (const i of [0, 1, 2, 3, 77, 149, 151, 299]) expect(await handshake(gw.port, `h${i}.example.com`), `h${i}`).toBe(fp(materialOf(i)));
    await expect(handshake(gw.port, "h150.example.com")).rejects.toThrow();
    // Refused, never served the default or another host's certificate; reported once it was loaded.
    expect(gw.warnings.join("\n")).toMatch(/certificate "c150" cannot be loaded/);
    expect(await handshake(gw.port, undefined)).toBe(fp(materialOf(0)));
  });

  it("serves a certificate written by the next apply at once, and keeps serving the others", async () => {
    const fixed = storedCert("c150", materialOf(150), { hosts: ["h150.example.com"], revision: 2 });
    gw.plane.apply(state({ revision: 2, certificates: certificates.map((c) => (c.name === "c150" ? fixed : c)) }));
    expect(await handshake(gw.port, "h150.example.com")).toBe(fp(materialOf(150)));
    expect(await handshake(gw.port, "h151.example.com")).toBe(fp(materialOf(151)));
  });
});
