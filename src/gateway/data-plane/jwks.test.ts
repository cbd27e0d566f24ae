import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEchoes, secretOf } from "../../../test/support/key-echoes.js";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { jwkFromCertificate } from "../../x509/jwk.js";
import type { StoredJwk } from "../state.js";
import { get, startPlane, state, storedCert, type Running } from "../../../test/support/data-plane.js";

let gw: Running;
let site: Issued;
let signer: Issued;
let rsa: Issued;

const storedJwk = (name: string, jwk: Record<string, unknown>): StoredJwk => ({ name, kid: String(jwk.kid), use: "sig", jwk, source: null, labels: {}, updatedRevision: 1 });

beforeAll(async () => {
  const ca = await makeCa();
  [site, signer, rsa] = await Promise.all([issue({ issuer: ca, hosts: ["api.example.com"] }), issue({ issuer: ca, hosts: ["signer.example.com"] }), issue({ issuer: ca, hosts: ["rsa.example.com"], keyType: "rsa-2048" })]);
  gw = await startPlane(state({ certificates: [storedCert("site", site, { hosts: ["api.example.com"] })] }));
});
afterAll(() => gw?.close());

describe("GET /.well-known/jwks.json", () => {
  it("serves an empty set while the store has no JWKs", async () => {
    const res = await get(gw.port, "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keys: [] });
  });

  it("serves the stored JWKs, in name order, as a JWK Set with a short cache lifetime", async () => {
    const a = jwkFromCertificate([signer.certificate], { use: "sig" });
    const b = jwkFromCertificate([rsa.certificate], { use: "sig" });
    gw.plane.apply(state({ revision: 2, certificates: [storedCert("site", site, { hosts: ["api.example.com"] })], jwks: [storedJwk("zeta", a), storedJwk("alpha", b)] }));
    const res = await get(gw.port, "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/jwk-set+json");
    expect(res.headers["cache-control"]).toMatch(/max-age=\d{1,3}\b/);
    expect(res.body).toEqual({ keys: [b, a] });
    expect(createPublicKey({ key: res.body.keys[1], format: "jwk" }).equals(signer.certificate.publicKey)).toBe(true);
    expect(res.body.keys[1]).toMatchObject({ x5c: [signer.certificate.raw.toString("base64")], "x5t#S256": expect.any(String) });
  });

  it("never publishes private members, even if the store held them", async () => {
    const leaked = { ...(signer.key.export({ format: "jwk" }) as Record<string, unknown>), kid: "leaked", use: "sig" };
    gw.plane.apply(state({ revision: 3, certificates: [storedCert("site", site, { hosts: ["api.example.com"] })], jwks: [storedJwk("leaked", leaked)] }));
    const res = await get(gw.port, "/.well-known/jwks.json");
    expect(res.body.keys[0].d).toBeUndefined();
    expect(keyEchoes(res.text, secretOf(signer.key))).toEqual([]);
  });

  it("answers HEAD, and 405 to other methods", async () => {
    expect((await get(gw.port, "/.well-known/jwks.json", { method: "HEAD" })).status).toBe(200);
    const post = await get(gw.port, "/.well-known/jwks.json", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });
});
