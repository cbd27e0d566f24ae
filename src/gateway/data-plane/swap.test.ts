import { Agent } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { get, handshake, startPlane, state, storedCert, type Running } from "../../../test/support/data-plane.js";

let ca: Issued;
let v1: Issued;
let v2: Issued;
let d1: Issued;
let d2: Issued;
let gw: Running;
let revision = 1;

const fp = (c: Issued) => c.certificate.fingerprint256;

/** The store's way of replacing: the new certificate is written (a newer revision), then the old one deleted. */
function replace(from: { api: Issued; dflt: Issued }, to: { api: Issued; dflt: Issued }) {
  const before = revision;
  const after = ++revision;
  gw.plane.apply(state({
    revision: after,
    certificates: [
      storedCert("api-old", from.api, { hosts: ["api.example.com"], revision: before }),
      storedCert("api-new", to.api, { hosts: ["api.example.com"], revision: after }),
      storedCert("default-old", from.dflt, { default: true, revision: before }),
      storedCert("default-new", to.dflt, { default: true, revision: after }),
    ],
  }));
  gw.plane.apply(state({
    revision: ++revision,
    certificates: [storedCert("api-new", to.api, { hosts: ["api.example.com"], revision: after }), storedCert("default-new", to.dflt, { default: true, revision: after })],
  }));
}

beforeAll(async () => {
  ca = await makeCa();
  [v1, v2, d1, d2] = await Promise.all([
    issue({ issuer: ca, hosts: ["api.example.com"] }),
    issue({ issuer: ca, hosts: ["api.example.com"] }),
    issue({ issuer: ca, hosts: ["default.example.com"] }),
    issue({ issuer: ca, hosts: ["default.example.com"] }),
  ]);
  gw = await startPlane(state({ revision, certificates: [storedCert("api-new", v1, { hosts: ["api.example.com"] }), storedCert("default-new", d1, { default: true })] }));
});
afterAll(() => gw?.close());

describe("certificate changes without a restart", () => {
  it("serves a replacement from the next handshake on", async () => {
    expect(await handshake(gw.port, "api.example.com")).toBe(fp(v1));
    replace({ api: v1, dflt: d1 }, { api: v2, dflt: d2 });
    expect(await handshake(gw.port, "api.example.com")).toBe(fp(v2));
    expect(await handshake(gw.port, undefined)).toBe(fp(d2));
    replace({ api: v2, dflt: d2 }, { api: v1, dflt: d1 });
    expect(await handshake(gw.port, "api.example.com")).toBe(fp(v1));
    expect(await handshake(gw.port, undefined)).toBe(fp(d1));
  });

  it("never fails a handshake while 20 replacements are applied under a continuous stream of them", async () => {
    let replaced = 0;
    let handshakes = 0;
    const failures: string[] = [];
    const seen = { api: new Set<string>(), dflt: new Set<string>() };
    const loop = async (servername: string | undefined) => {
      while (replaced < 20 || handshakes < 240) {
        try {
          const got = await handshake(gw.port, servername, { ca: ca.pem, rejectUnauthorized: servername !== undefined });
          (servername ? seen.api : seen.dflt).add(got);
          handshakes++;
        } catch (err) {
          failures.push(`${servername ?? "(no SNI)"}: ${String(err)}`);
          handshakes++;
        }
      }
    };
    const loops = [loop("api.example.com"), loop("api.example.com"), loop(undefined), loop("api.example.com")];
    const versions = [{ api: v1, dflt: d1 }, { api: v2, dflt: d2 }];
    for (let i = 0; i < 20; i++) {
      // Let the loops get handshakes in flight between replacements.
      await new Promise((r) => setTimeout(r, 5));
      replace(versions[i % 2]!, versions[(i + 1) % 2]!);
      replaced++;
      // Seeing both versions must not depend on how the loops were scheduled on a busy machine.
      seen.api.add(await handshake(gw.port, "api.example.com", { ca: ca.pem }));
      seen.dflt.add(await handshake(gw.port, undefined, { ca: ca.pem, rejectUnauthorized: false }));
    }
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(handshakes).toBeGreaterThanOrEqual(240);
    expect(seen.api).toEqual(new Set([fp(v1), fp(v2)]));
    expect(seen.dflt).toEqual(new Set([fp(d1), fp(d2)]));
  });

  it("keeps established connections working across applies, even when their certificate is deleted", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports = new Set<number>();
      agent.on("free", (socket) => ports.add(socket.localPort ?? 0));
      expect((await get(gw.port, "/.well-known/jwks.json", { agent })).status).toBe(200);
      replace({ api: v1, dflt: d1 }, { api: v2, dflt: d2 });
      gw.plane.apply(state({ revision: ++revision }));
      expect(await handshake(gw.port, "api.example.com").catch(() => "refused")).toBe("refused");
      expect((await get(gw.port, "/.well-known/jwks.json", { agent })).status).toBe(200);
      expect(ports.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
