import { describe, expect, it } from "vitest";
import { emptyState, type GatewayState } from "../state.js";
import { isFailure, type Failure } from "./failure.js";
import { acquireLock, activeLock, forceReleaseLock, lockGuard, releaseLock, renewLock } from "./lock.js";

const t0 = new Date("2030-01-01T00:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const ok = (r: GatewayState | Failure): GatewayState => {
  if (isFailure(r)) throw new Error(r.error.message);
  return r;
};

describe("lock functions", () => {
  const held = ok(acquireLock(emptyState("n", "e"), { holder: "a", purpose: "apply", ttlSeconds: 60 }, t0));

  it("hold a lease until it expires, then count it as free", () => {
    expect(activeLock(held, at(59))?.holder).toBe("a");
    expect(activeLock(held, at(60))).toBeNull();
    expect(lockGuard(held, "b", at(59))?.status).toBe(423);
    expect(lockGuard(held, "a", at(59))).toBeUndefined();
    expect(lockGuard(held, undefined, at(61))).toBeUndefined();
    expect(ok(acquireLock(held, { holder: "b", purpose: "", ttlSeconds: 5 }, at(61))).lock).toMatchObject({ holder: "b", since: at(61).toISOString() });
  });

  it("renew and release for the holder only; force releases anyone", () => {
    expect(ok(renewLock(held, { holder: "a", ttlSeconds: 600 }, at(30))).lock).toMatchObject({ since: t0.toISOString(), expiresAt: at(630).toISOString() });
    expect((renewLock(held, { holder: "b", ttlSeconds: 1 }, at(30)) as Failure).status).toBe(423);
    expect((renewLock(emptyState("n", "e"), { holder: "a", ttlSeconds: 1 }, t0) as Failure).status).toBe(409);
    expect((releaseLock(held, "b", at(1)) as Failure).error).toMatchObject({ code: "locked", holder: "a", purpose: "apply", since: t0.toISOString() });
    const released = releaseLock(held, "a", at(1));
    expect(isFailure(released) ? released : released.state.lock).toBeNull();
    expect((releaseLock(emptyState("n", "e"), "a", t0) as Failure).status).toBe(404);
    const forced = forceReleaseLock(held);
    expect(isFailure(forced) ? forced : forced.released.holder).toBe("a");
  });
});
