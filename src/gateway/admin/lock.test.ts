import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../store/index.js";
import { startAdmin, type Admin } from "../../../test/support/admin-server.js";

let admin: Admin;
let clock = new Date("2030-01-01T00:00:00Z");
const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

beforeAll(async () => {
  admin = await startAdmin({ now: () => clock });
});
afterAll(() => admin?.close());

const endpoint = (n: number) => ({ url: `http://127.0.0.1:${n}`, path: `/e${n}` });
const as = (holder: string) => ({ "x-certform-lock-holder": holder });

describe("the lease lock", () => {
  it("makes every write by a non-holder a 423 naming holder, purpose and since; the holder writes", async () => {
    const lock = await admin.call("POST", "/v1/lock", { holder: "apply-1", purpose: "apply payments", ttlSeconds: 60 });
    expect(lock.status).toBe(200);
    expect(lock.body).toEqual({ holder: "apply-1", purpose: "apply payments", since: clock.toISOString(), expiresAt: new Date(clock.getTime() + 60_000).toISOString() });
    const rev = admin.store.state().revision;

    const blocked = [
      await admin.call("PUT", "/v1/endpoints/e1", endpoint(1)),
      await admin.call("POST", "/v1/endpoints", { name: "e1", ...endpoint(1) }, as("apply-2")),
      await admin.call("DELETE", "/v1/endpoints/e1"),
      // Refused for the lock before the body is looked at.
      await admin.call("PUT", "/v1/certificates/c", { generate: { hosts: ["a.example.com"] } }),
      await admin.call("POST", "/v1/batch", { operations: [{ op: "put", collection: "endpoints", name: "e1", body: endpoint(1) }] }),
    ];
    for (const r of blocked) {
      expect(r.status).toBe(423);
      expect(r.body.error).toMatchObject({ code: "locked", holder: "apply-1", purpose: "apply payments", since: clock.toISOString() });
    }
    expect((await admin.call("POST", "/v1/lock", { holder: "apply-2" })).status).toBe(423);
    expect((await admin.call("PUT", "/v1/endpoints/e1", endpoint(1), as("apply-1"))).status).toBe(201);
    // Reads need no lock, and taking the lock did not move the revision.
    expect((await admin.call("GET", "/v1/status")).body).toMatchObject({ revision: rev + 1, lock: { holder: "apply-1" } });
  });

  it("renews for the holder only, and releases for the holder only", async () => {
    advance(30);
    const renewed = await admin.call("POST", "/v1/lock/renew", { holder: "apply-1", ttlSeconds: 120 });
    expect(renewed.status).toBe(200);
    expect(renewed.body.expiresAt).toBe(new Date(clock.getTime() + 120_000).toISOString());
    expect((await admin.call("POST", "/v1/lock/renew", { holder: "apply-2" })).status).toBe(423);
    const again = await admin.call("POST", "/v1/lock", { holder: "apply-1", purpose: "still applying" });
    expect(again.status).toBe(200);
    expect(again.body.since).toBe(renewed.body.since);

    expect((await admin.call("DELETE", "/v1/lock", { holder: "apply-2" })).status).toBe(423);
    const released = await admin.call("DELETE", "/v1/lock", { holder: "apply-1" });
    expect(released.status).toBe(200);
    expect(released.body.holder).toBe("apply-1");
    expect((await admin.call("DELETE", "/v1/lock", { holder: "apply-1" })).status).toBe(404);
    expect((await admin.call("POST", "/v1/lock/renew", { holder: "apply-1" })).status).toBe(409);
    expect((await admin.call("DELETE", "/v1/lock")).status).toBe(422);
    expect((await admin.call("PUT", "/v1/endpoints/e2", endpoint(2))).status).toBe(201);
  });

  it("counts an expired lease as free, and force-releases whoever holds it", async () => {
    expect((await admin.call("POST", "/v1/lock", { holder: "killed-apply", ttlSeconds: 10 })).status).toBe(200);
    advance(11);
    expect((await admin.call("PUT", "/v1/endpoints/e3", endpoint(3))).status).toBe(201);
    expect((await admin.call("GET", "/v1/status")).body.lock).toBeNull();
    expect((await admin.call("POST", "/v1/lock", { holder: "next" })).status).toBe(200);

    const forced = await admin.call("DELETE", "/v1/lock?force=true");
    expect(forced.status).toBe(200);
    expect(forced.body.holder).toBe("next");
    expect((await admin.call("DELETE", "/v1/lock?force=true")).status).toBe(404);
  });

  it("persists the lock with the store", async () => {
    expect((await admin.call("POST", "/v1/lock", { holder: "durable", ttlSeconds: 600 })).status).toBe(200);
    await admin.store.close();
    const reopened = await openStore(admin.dir, { node: "node-1", environment: "test" });
    expect(reopened.state().lock).toMatchObject({ holder: "durable" });
    expect((await admin.call("DELETE", "/v1/lock", { holder: "durable" })).status).toBe(200);
  });
});
