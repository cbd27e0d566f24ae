import { describe, expect, it } from "vitest";
import { backoffDelay, shouldRetry, type Safety } from "./retry.js";
import type { FailureKind, Outcome } from "./transport.js";

const failed = (kind: FailureKind, sent: boolean): Outcome => ({ ok: false, failure: { kind, errno: kind, sent } });
const answered = (status: number): Outcome => ({ ok: true, response: { status, headers: {}, text: "" } });

describe("shouldRetry", () => {
  const cases: [string, Safety, Outcome, boolean][] = [
    ["refused read", "idempotent", failed("refused", false), true],
    ["refused batch: never reached the node", "once", failed("refused", false), true],
    ["reset read", "idempotent", failed("network", true), true],
    ["batch reset before connecting", "once", failed("network", false), true],
    ["batch reset after connecting: may have been applied", "once", failed("network", true), false],
    ["batch timed out after connecting", "once", failed("timeout", true), false],
    ["read timed out", "idempotent", failed("timeout", true), true],
    ["untrusted TLS certificate", "idempotent", failed("tls", true), false],
    ["unknown error", "idempotent", failed("other", false), false],
    ["503 read", "idempotent", answered(503), true],
    ["503 batch", "once", answered(503), false],
    ["404 read", "idempotent", answered(404), false],
    ["429 read", "idempotent", answered(429), false],
    ["200 read", "idempotent", answered(200), false],
  ];
  it.each(cases)("%s", (_what, safety, outcome, expected) => {
    expect(shouldRetry(safety, outcome)).toBe(expected);
  });
});

describe("backoffDelay", () => {
  const backoff = { baseMs: 100, maxMs: 1000 };
  it("doubles per retry, half of it fixed, half random, up to the cap", () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, backoff, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, backoff, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
