import type { Outcome } from "./transport.js";

/**
 * How safe a request is to send again.
 * - idempotent: GET, PUT, DELETE, and the lock routes (the same holder acquiring again renews; releasing
 *   twice finds nothing to release, which unlock accepts). Sending one twice leaves the node as sending
 *   it once, so connection errors, timeouts and 5xx are retried.
 * - once: POST /v1/batch. Sent twice, it could apply twice (or report a 412 for its own first success), so
 *   it is retried only when it provably never reached the node: the connection was refused, or failed
 *   before it was established. Once a connection is up, a reset, a timeout or a 5xx leaves its outcome
 *   unknown; the caller must read the node's revision to learn what happened, not guess.
 */
export type Safety = "idempotent" | "once";

/** Whether this outcome of an attempt may be followed by another. 4xx never is: asking again gets the same answer. */
export function shouldRetry(safety: Safety, outcome: Outcome): boolean {
  if (outcome.ok) return serverTrouble(outcome.response.status) && safety === "idempotent";
  const { kind, sent } = outcome.failure;
  if (kind === "tls" || kind === "other") return false;
  if (kind === "refused") return true;
  return safety === "idempotent" || !sent;
}

/**
 * A 5xx that may pass: asking again may work, and a batch answered so may or may not have been applied. Not
 * 507 (Insufficient Storage): the node refused the write because its disk cannot take it (nothing was applied),
 * and that lasts until someone acts.
 */
export const serverTrouble = (status: number): boolean => status >= 500 && status !== 507;

/**
 * The wait before retry number `retry` (1-based): exponential, capped, with "equal jitter" — half fixed,
 * half random. The fixed half guarantees a retry window (a restarting node gets at least that long); the
 * random half keeps the nodes' many clients (parallel applies, CI jobs) from retrying in lockstep.
 */
export function backoffDelay(retry: number, backoff: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
