import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { handshake, startPlane, state, storedCert, type Running } from "../../../test/support/data-plane.js";

let ca: Issued;
let exact: Issued;
let wildcard: Issued;
let fallback: Issued;
let gw: Running;

beforeAll(async () => {
  ca = await makeCa();
  [exact, wildcard, fallback] = await Promise.all([
    issue({ issuer: ca, hosts: ["api.example.com"] }),
    issue({ issuer: ca, hosts: ["*.example.com"] }),
    issue({ issuer: ca, hosts: ["fallback.example.net"] }),
  ]);
  gw = await startPlane(state({ certificates: [storedCert("exact", exact, { hosts: ["api.example.com"] }), storedCert("wildcard", wildcard, { hosts: ["*.example.com"] })] }));
});
afterAll(() => gw?.close());

const fp = (c: Issued) => c.certificate.fingerprint256;

describe("certificates chosen by SNI on a real listener", () => {
  it("refuses no-SNI and unknown-name handshakes while there is no default, with a handshake_failure alert", async () => {
    await expect(handshake(gw.port, undefined)).rejects.toMatchObject({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
    await expect(handshake(gw.port, "unknown.example.org")).rejects.toMatchObject({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
    await expect(handshake(gw.port, "a.b.example.com")).rejects.toMatchObject({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
  });

  it("serves exact names, case-insensitively, and verifies against the issuing CA", async () => {
    expect(await handshake(gw.port, "api.example.com", { ca: ca.pem, rejectUnauthorized: true })).toBe(fp(exact));
    expect(await handshake(gw.port, "API.Example.com")).toBe(fp(exact));
  });

  it("serves a wildcard for one label, and the exact certificate before it", async () => {
    expect(await handshake(gw.port, "www.example.com", { ca: ca.pem, rejectUnauthorized: true })).toBe(fp(wildcard));
    expect(await handshake(gw.port, "api.example.com")).toBe(fp(exact));
  });

  it("serves the default to clients without SNI and to unknown names once one exists", async () => {
    gw.plane.apply(state({
      revision: 2,
      certificates: [storedCert("exact", exact, { hosts: ["api.example.com"] }), storedCert("wildcard", wildcard, { hosts: ["*.example.com"] }), storedCert("fallback", fallback, { hosts: ["fallback.example.net"], default: true, revision: 2 })],
    }));
    expect(await handshake(gw.port, undefined)).toBe(fp(fallback));
    expect(await handshake(gw.port, "unknown.example.org")).toBe(fp(fallback));
    expect(await handshake(gw.port, "a.b.example.com")).toBe(fp(fallback));
    expect(await handshake(gw.port, "www.example.com")).toBe(fp(wildcard));
  });

  it("refuses them again when the default is removed, and serves nothing after everything is", async () => {
    gw.plane.apply(state({ revision: 3, certificates: [storedCert("exact", exact, { hosts: ["api.example.com"] })] }));
    await expect(handshake(gw.port, undefined)).rejects.toThrow();
    await expect(handshake(gw.port, "www.example.com")).rejects.toThrow();
    expect(await handshake(gw.port, "api.example.com")).toBe(fp(exact));
    gw.plane.apply(state({ revision: 4 }));
    await expect(handshake(gw.port, "api.example.com")).rejects.toThrow();
  });

  it("refuses a host whose stored certificate cannot be loaded, rather than serving another, and says so without the key", async () => {
    const broken = { ...storedCert("broken", exact, { hosts: ["api.example.com"] }), keyPem: fallback.keyPem };
    gw.plane.apply(state({ revision: 5, certificates: [broken, storedCert("fallback", fallback, { default: true })] }));
    await expect(handshake(gw.port, "api.example.com")).rejects.toThrow();
    expect(await handshake(gw.port, undefined)).toBe(fp(fallback));
    expect(gw.warnings.join("\n")).toMatch(/certificate "broken" cannot be loaded/);
    expect(gw.warnings.join("\n")).not.toMatch(/PRIVATE KEY|[A-Za-z0-9+/]{40}/);
  });
});
