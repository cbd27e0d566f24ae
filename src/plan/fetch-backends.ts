import type { X509Certificate } from "node:crypto";
import { captureChain } from "../x509/index.js";

/** What a backend presented while planning, or why it could not be seen. */
export type BackendCapture = { chain: X509Certificate[] } | { error: string };

/** Backend captures by endpoint URL. A URL that is absent was not looked at. */
export type BackendChains = ReadonlyMap<string, BackendCapture>;

// Short: a plan waits for these only when some endpoint's trust shrinks, and an unreachable backend
// (a CI runner outside the backends' network) must not hold the plan up for long.
const TIMEOUT_MS = 3_000;
const PARALLEL = 16;

/** Captures each backend's chain over TLS, a few at a time; a backend that cannot be reached is recorded, never thrown. */
export async function captureBackends(urls: readonly string[], opts: { timeoutMs?: number } = {}): Promise<Map<string, BackendCapture>> {
  const out = new Map<string, BackendCapture>();
  const queue = [...new Set(urls)];
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      try {
        out.set(url, { chain: await captureChain(url, { timeoutMs: opts.timeoutMs ?? TIMEOUT_MS }) });
      } catch (err) {
        // The reason alone: the warning names the URL already.
        const message = err instanceof Error ? err.message : String(err);
        out.set(url, { error: message.replace(/^cannot capture the certificate of ".*?": /, "") });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  return out;
}
