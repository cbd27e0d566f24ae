import { quoteValue } from "../../model/redact.js";
import type { GatewayState, StoredLock } from "../state.js";
import { fail, type Failure } from "./failure.js";

// The node's lease lock. Pure functions of (state, now); the admin API commits their results with
// bumpRevision: false, because holding the lock changes nothing that the node serves.

/** The lock, unless it has expired: an expired lease counts as free. */
export function activeLock(state: GatewayState, now: Date): StoredLock | null {
  const lock = state.lock;
  return lock && Date.parse(lock.expiresAt) > now.getTime() ? lock : null;
}

export function lockedFailure(lock: StoredLock): Failure {
  return fail(423, "locked", `the node is locked by ${quoteValue(lock.holder)}${lock.purpose ? ` (${quoteValue(lock.purpose)})` : ""} since ${lock.since}, until ${lock.expiresAt}`, {
    holder: lock.holder,
    purpose: lock.purpose,
    since: lock.since,
    expiresAt: lock.expiresAt,
    hint: "wait for it to be released, send X-Certform-Lock-Holder if you hold it, or force-unlock a lock left by a killed apply",
  });
}

/** 423 for a write by anyone but the holder while the lock is held. */
export function lockGuard(state: GatewayState, holder: string | undefined, now: Date): Failure | undefined {
  const lock = activeLock(state, now);
  return lock && lock.holder !== holder ? lockedFailure(lock) : undefined;
}

const lease = (now: Date, ttlSeconds: number): string => new Date(now.getTime() + ttlSeconds * 1000).toISOString();

/** Takes the lock when free; the holder taking it again renews it (purpose and TTL from this request). */
export function acquireLock(state: GatewayState, req: { holder: string; purpose: string; ttlSeconds: number }, now: Date): GatewayState | Failure {
  const lock = activeLock(state, now);
  if (lock && lock.holder !== req.holder) return lockedFailure(lock);
  const since = lock ? lock.since : now.toISOString();
  return { ...state, lock: { holder: req.holder, purpose: req.purpose, since, expiresAt: lease(now, req.ttlSeconds) } };
}

/** Extends the holder's lease; a lapsed lease nobody else took is renewed too. */
export function renewLock(state: GatewayState, req: { holder: string; ttlSeconds: number }, now: Date): GatewayState | Failure {
  const lock = activeLock(state, now);
  if (lock && lock.holder !== req.holder) return lockedFailure(lock);
  const mine = state.lock && state.lock.holder === req.holder ? state.lock : undefined;
  if (!mine) return fail(409, "not-locked", `${quoteValue(req.holder)} does not hold the lock`, { hint: "acquire it with POST /v1/lock" });
  return { ...state, lock: { ...mine, expiresAt: lease(now, req.ttlSeconds) } };
}

/** Releases the holder's lock (expired or not); returns what was released. */
export function releaseLock(state: GatewayState, holder: string, now: Date): { state: GatewayState; released: StoredLock } | Failure {
  const lock = activeLock(state, now);
  if (lock && lock.holder !== holder) return lockedFailure(lock);
  if (!state.lock || state.lock.holder !== holder) return fail(404, "not-locked", `${quoteValue(holder)} does not hold the lock`);
  return { state: { ...state, lock: null }, released: state.lock };
}

/** Releases whoever holds it, a lapsed lease included (force-unlock after a killed apply). */
export function forceReleaseLock(state: GatewayState): { state: GatewayState; released: StoredLock } | Failure {
  if (!state.lock) return fail(404, "not-locked", "the node is not locked");
  return { state: { ...state, lock: null }, released: state.lock };
}
