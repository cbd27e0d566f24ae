import type { Gateway } from "../model/index.js";

/** The kinds of live object a gateway node holds, as the embedded gateway's admin API names them. */
export type LiveCollection = "certificates" | "trusted" | "endpoints" | "trust" | "jwks";

/**
 * One object on one node, as the provider read it: never with key material. `fields` holds what the
 * diff compares (chain PEM, fingerprints, hosts, url, path, alias, scope, jwk …), in the embedded
 * gateway's view shapes (src/model/gateway-api.ts); providers of other gateways translate to them.
 */
export interface LiveObject {
  collection: LiveCollection;
  /** The object's identity on the gateway: a name, or the alias of a trusted certificate. */
  name: string;
  labels: Record<string, string>;
  fields: Record<string, unknown>;
}

export interface LiveNode {
  node: string;
  /** The node's store revision: a plan records it, and apply refuses the plan when it moved. */
  revision: number;
  objects: LiveObject[];
}

/** One write, as apply sends it: a put carries the full body (keys included, read at apply time). */
export type Operation =
  | { op: "put"; collection: LiveCollection; name: string; body: Record<string, unknown> }
  | { op: "delete"; collection: LiveCollection; name: string };

export interface LockInfo {
  holder: string;
  purpose: string;
  since: string;
  expiresAt: string;
}

export interface Capabilities {
  /** Certificates generated on the gateway, their key never leaving it. */
  generate: boolean;
  jwks: boolean;
  /** Client-certificate (mutual TLS) trust. */
  clientTrust: boolean;
  managementTrust: boolean;
  /** Several operations applied atomically. */
  batch: boolean;
  lock: boolean;
}

/** A gateway cluster of one kind: every call names the node (an entry of the environment's `nodes`). */
export interface Provider {
  readonly kind: string;
  capabilities(): Capabilities;
  read(node: string): Promise<LiveNode>;
  /** Applies operations in order; atomically where `capabilities().batch`. Resolves with the node's new revision. */
  apply(node: string, operations: readonly Operation[], opts: { lockHolder?: string; ifRevision?: number }): Promise<{ revision: number }>;
  lock(node: string, holder: string, purpose: string, ttlSeconds: number): Promise<LockInfo>;
  unlock(node: string, holder: string): Promise<void>;
  forceUnlock(node: string): Promise<LockInfo | undefined>;
}

/** Builds a provider for one environment's gateway settings (tokens already expanded). */
export type ProviderFactory = (gateway: Gateway, opts: ProviderOptions) => Provider;

export interface ProviderOptions {
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Attempts for connection errors and 5xx, with exponential backoff. */
  retries?: number;
}

/** A provider failure, with what the gateway said. `status` is the HTTP status where there is one. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly node: string,
    readonly status?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}
