import type { Capabilities, Provider, ProviderFactory } from "../provider.js";
import { copyGenerated } from "./copier.js";
import { fetchLiveNode } from "./fetcher.js";
import { layoutOf, type HaproxyGateway } from "./layout.js";
import { acquireLock, forceReleaseLock, releaseLock } from "./locker.js";
import { applyOperations } from "./operator.js";
import { createRuntimeClient } from "./runtime.js";

// The HAProxy provider: a real HAProxy managed through its runtime API (runtime), without reloads, its
// changes persisted to the files its configuration loads (files, certificates, ca-files, state-file), read
// back from what HAProxy answers (fetcher, answers), locked with a file next to its data (locker).

/**
 * HAProxy serves server certificates by SNI and verifies backends against CA files; it cannot publish JWKs,
 * has no outbound calls of its own to trust for, and its bind is strict-sni (so no default certificate).
 * Client-certificate trust would need per-bind settings the runtime API cannot change.
 */
const CAPABILITIES: Capabilities = { generate: false, jwks: false, clientTrust: false, managementTrust: false, defaultCertificate: false, batch: false, lock: true };

const TIMEOUT_MS = 10_000;

export const createHaproxyProvider: ProviderFactory<HaproxyGateway> = (gateway, opts) => {
  if (gateway.type !== "haproxy") throw new Error(`the haproxy provider got gateway settings of type "${(gateway as { type: string }).type}"`);
  const layout = layoutOf(gateway.dir, opts.baseDir);
  const client = createRuntimeClient(opts.timeoutMs ?? TIMEOUT_MS);
  return {
    kind: "haproxy",
    capabilities: () => ({ ...CAPABILITIES }),
    read: (node) => fetchLiveNode(client, layout, node, gateway.listen),
    apply: (node, operations, applyOpts) => applyOperations(client, layout, node, operations, applyOpts),
    lock: (node, holder, purpose, ttlSeconds) => acquireLock(layout, node, holder, purpose, ttlSeconds),
    unlock: (_node, holder) => releaseLock(layout, holder),
    forceUnlock: () => forceReleaseLock(layout),
    copyGenerated: (node, name, lockHolder) => copyGenerated(layout, node, name, lockHolder),
  } satisfies Provider;
};

export { layoutOf, backendOf, type HaproxyGateway, type Layout } from "./layout.js";
