import { durationSeconds } from "../model/index.js";

// Generic over where a generated certificate comes from (made by certform, or ordered from an ACME CA): all it
// needs is the notAfter the gateway serves now and the stack's renewBefore.

const DAY_MS = 86_400_000;
const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** "expires in 12 days", "expires within a day", "expired 3 days ago", "expired today". */
export function expiresIn(notAfter: Date, now: Date): string {
  const left = notAfter.getTime() - now.getTime();
  if (left >= 0) {
    const n = Math.floor(left / DAY_MS);
    return n === 0 ? "expires within a day" : `expires in ${days(n)}`;
  }
  const ago = Math.floor(-left / DAY_MS);
  return ago === 0 ? "expired today" : `expired ${days(ago)} ago`;
}

/**
 * Why a generated certificate must be renewed now, or undefined when it need not: it is due once what is
 * left of it (to the second) is less than `renewBefore` (a duration such as `30d`), or at once when forced
 * (`certform renew`). Compared in seconds, not whole days, so that a certificate just made with
 * `validity: 2d, renewBefore: 47h` is not due at once.
 */
export function renewalReason(notAfter: Date, renewBefore: string, now: Date, opts: { force?: boolean } = {}): string | undefined {
  const why = `${expiresIn(notAfter, now)}, renewBefore ${renewBefore}`;
  if (notAfter.getTime() - now.getTime() < durationSeconds(renewBefore) * 1000) return `renewal due: ${why}`;
  return opts.force ? `renewal forced (certform renew): ${why}` : undefined;
}
