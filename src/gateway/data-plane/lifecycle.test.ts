import { Agent } from "node:https";
import { connect } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { get, startPlane, state, storedCert } from "../../../test/support/data-plane.js";

let site: Issued;
beforeAll(async () => {
  site = await issue({ issuer: await makeCa(), hosts: ["api.example.com"] });
});

describe("close()", () => {
  it("stops listening and ends idle kept-alive connections at once", async () => {
    const gw = await startPlane(state({ certificates: [storedCert("site", site, { hosts: ["api.example.com"] })] }));
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await get(gw.port, "/.well-known/jwks.json", { agent })).status).toBe(200);
      const started = Date.now();
      await gw.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(new Promise((resolve, reject) => connect(gw.port, "127.0.0.1", () => resolve("connected")).on("error", reject))).rejects.toMatchObject({ code: "ECONNREFUSED" });
      // A second close is harmless.
      await gw.close();
    } finally {
      agent.destroy();
    }
  });

  it("ends a connection that never completes its handshake after a short grace period", async () => {
    const gw = await startPlane(state());
    const silent = connect(gw.port, "127.0.0.1");
    await new Promise((r) => silent.once("connect", r));
    const closed = new Promise((r) => silent.once("close", r));
    const started = Date.now();
    await gw.close();
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
