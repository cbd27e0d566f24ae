import type { Capabilities, Provider, ProviderFactory } from "../provider.js";
import { acmeChallenge } from "./acme-challenges.js";
import { createAdminClient } from "./client.js";
import { copyGenerated } from "./copier.js";
import { fetchLiveNode } from "./fetcher.js";
import { forceReleaseLock, acquireLock, releaseLock } from "./locker.js";
import { applyOperations } from "./operator.js";
import { requestAccess } from "./requests.js";
import { clientSettings, type EmbeddedGateway } from "./settings.js";

// The embedded gateway's provider: the admin API client (client + transport), read (fetcher), apply
// (operator), lock (locker), copies of generated certificates (copier), and the translation between views and live objects (transformer).

/** The embedded gateway is the reference: it does everything a provider can. */
const CAPABILITIES: Capabilities = { generate: true, jwks: true, clientTrust: true, managementTrust: true, batch: true, lock: true, requests: true };

export const createEmbeddedProvider: ProviderFactory<EmbeddedGateway> = (gateway, opts) => {
  if (gateway.type !== "embedded") throw new Error(`the embedded provider got gateway settings of type "${(gateway as { type: string }).type}"`);
  const client = createAdminClient(clientSettings(gateway, opts));
  return {
    kind: "embedded",
    capabilities: () => ({ ...CAPABILITIES }),
    read: (node) => fetchLiveNode(client, node),
    apply: (node, operations, applyOpts) => applyOperations(client, node, operations, applyOpts),
    lock: (node, holder, purpose, ttlSeconds) => acquireLock(client, node, holder, purpose, ttlSeconds),
    unlock: (node, holder) => releaseLock(client, node, holder),
    forceUnlock: (node) => forceReleaseLock(client, node),
    copyGenerated: (node, name, lockHolder) => copyGenerated(client, node, name, lockHolder),
    acmeChallenge: (node, token, body, lockHolder) => acmeChallenge(client, node, token, body, lockHolder),
    requests: requestAccess(client),
    close: () => client.close(),
  } satisfies Provider;
};

export type { EmbeddedGateway } from "./settings.js";
