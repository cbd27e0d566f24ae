import { COLLECTIONS, type Collection } from "../api/admin-api.js";
import { PersistentMap } from "../persistent-map.js";
import type { GatewayState, StateDocument, StoredLock, StoredRequest } from "../state.js";

/**
 * What one commit changed: the objects it wrote (whole) and the names it deleted, per collection, the
 * revision it left and, when it changed, the lock. Each member says what a key holds after the commit,
 * never how it got there, so replaying a change on a state that already has it changes nothing.
 */
export interface StateChange {
  revision: number;
  /** When the commit was made, for a commit that moved the revision. */
  changedAt?: string;
  set?: Partial<Record<Collection, Record<string, unknown>>>;
  del?: Partial<Record<Collection, string[]>>;
  lock?: StoredLock | null;
  /** Every pending signing request after the commit, when one changed. */
  requests?: Record<string, StoredRequest>;
}

/**
 * The change from `before` to `after`, found by object identity: states are frozen and mutations copy
 * only what they change, so an object that is the same object is unchanged, and a collection that is
 * the same object is skipped without a look at its members (see PersistentMap.changes).
 */
export function diffStates(before: GatewayState, after: GatewayState): StateChange {
  const change: StateChange = { revision: after.revision };
  for (const c of COLLECTIONS) {
    const set: Record<string, unknown> = {};
    const del: string[] = [];
    let written = false;
    for (const { name, after: value } of PersistentMap.changes<unknown>(before[c], after[c])) {
      if (value === undefined) del.push(name);
      else {
        // A computed member, never an assignment: no name can reach Object.prototype.
        Object.defineProperty(set, name, { value, enumerable: true, writable: true, configurable: true });
        written = true;
      }
    }
    if (written) (change.set ??= {})[c] = set;
    if (del.length > 0) (change.del ??= {})[c] = del;
  }
  if (before.lock !== after.lock) change.lock = after.lock;
  if (before.requests !== after.requests) change.requests = { ...after.requests };
  if (after.changedAt !== undefined && before.changedAt !== after.changedAt) change.changedAt = after.changedAt;
  return change;
}

/** Applies a change to a state being read back (its JSON form, mutable). */
export function applyChange(state: StateDocument, change: StateChange): void {
  for (const c of COLLECTIONS) {
    const target = state[c] as Record<string, unknown>;
    const set = change.set?.[c];
    if (set) for (const name of Object.keys(set)) Object.defineProperty(target, name, { value: set[name], enumerable: true, writable: true, configurable: true });
    for (const name of change.del?.[c] ?? []) delete target[name];
  }
  state.revision = change.revision;
  if (change.changedAt !== undefined) state.changedAt = change.changedAt;
  if (change.lock !== undefined) state.lock = change.lock;
  if (change.requests !== undefined) state.requests = change.requests;
}

/** Why a parsed journal record is not a change, or undefined. */
export function changeProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not an object";
  const v = value as Record<string, unknown>;
  if (typeof v.revision !== "number" || !Number.isInteger(v.revision) || v.revision < 0) return "revision is not a non-negative integer";
  for (const part of ["set", "del"] as const) {
    const p = v[part];
    if (p === undefined) continue;
    if (typeof p !== "object" || p === null) return `${part} is not an object`;
    for (const key of Object.keys(p)) {
      if (!(COLLECTIONS as readonly string[]).includes(key)) return `${part} names no collection ${JSON.stringify(key)}`;
      const members = (p as Record<string, unknown>)[key];
      if (part === "del" ? !Array.isArray(members) || members.some((n) => typeof n !== "string") : typeof members !== "object" || members === null || Array.isArray(members)) {
        return `${part}.${key} is malformed`;
      }
    }
  }
  if (v.lock !== undefined && v.lock !== null && typeof v.lock !== "object") return "lock is neither null nor an object";
  if (v.requests !== undefined && (typeof v.requests !== "object" || v.requests === null || Array.isArray(v.requests))) return "requests is not an object";
  if (v.changedAt !== undefined && (typeof v.changedAt !== "string" || Number.isNaN(Date.parse(v.changedAt)))) return "changedAt is not a time";
  return undefined;
}
