import type { IncomingMessage } from "node:http";
import { quoteValue } from "../../model/redact.js";
import type { GatewayState } from "../state.js";
import { fail, lockGuard, type Failure } from "../store/index.js";

export const LOCK_HOLDER_HEADER = "x-certform-lock-holder";

/** What a write asks of the state it applies to: checked inside the commit, against that very state. */
export interface WriteConditions {
  /** undefined: no If-Match; "*": any revision. */
  ifMatch: readonly number[] | "*" | undefined;
  holder: string | undefined;
  now: Date;
}

/** If-Match as `"7"`, `7`, `W/"7"`, a list of them, or `*`. Anything else is a 400, not a silent pass. */
export function writeConditions(req: IncomingMessage, now: Date): WriteConditions | Failure {
  const holderHeader = req.headers[LOCK_HOLDER_HEADER];
  const holder = Array.isArray(holderHeader) ? holderHeader[0] : holderHeader;
  const raw = req.headers["if-match"];
  if (raw === undefined) return { ifMatch: undefined, holder, now };
  if (raw.trim() === "*") return { ifMatch: "*", holder, now };
  const revisions: number[] = [];
  for (const part of raw.split(",")) {
    const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(part);
    if (!m) {
      return fail(400, "if-match-invalid", `If-Match ${quoteValue(raw)} is not a revision`, { hint: 'send the ETag of a read, e.g. If-Match: "7"' });
    }
    revisions.push(Number(m[1]));
  }
  return { ifMatch: revisions, holder, now };
}

/** 423 when someone else holds the lock, then 412 when the revision moved. */
export function checkWrite(state: GatewayState, cond: WriteConditions): Failure | undefined {
  const locked = lockGuard(state, cond.holder, cond.now);
  if (locked) return locked;
  if (cond.ifMatch === undefined || cond.ifMatch === "*" || cond.ifMatch.includes(state.revision)) return undefined;
  return fail(412, "revision-moved", `the store is at revision ${state.revision}, not ${cond.ifMatch.join(" or ")}`, {
    revision: state.revision,
    hint: "read again, re-plan, and retry with the new ETag",
  });
}
