import type { KeyObject } from "node:crypto";
import type { Gateway } from "../model/index.js";

/** The kinds of live object a gateway node holds, as the embedded gateway's admin API names them. */
export type LiveCollection = "certificates" | "trusted" | "endpoints" | "trust" | "jwks";

/**
 * One object on one node, as the provider read it: never with key material. `fields` holds what the
 * diff compares (chain PEM, fingerprints, hosts, url, path, alias, scope, jwk …), in the embedded
 * gateway's view shapes (src/gateway/api/admin-api.ts); providers of other gateways translate to them.
 */
export interface LiveObject {
  collection: LiveCollection;
  /** The object's identity on the gateway: a name, or the alias of a trusted certificate. */
  name: string;
  labels: Record<string, string>;
  fields: Record<string, unknown>;
  /**
   * The revision that last wrote the object, where the gateway tracks it. Kept out of `fields` because
   * it is bookkeeping, not content: comparing it would make every node differ from every other.
   */
  updatedRevision?: number;
}

/** A pending signing request on one node: its key stays there, only its fingerprint is read. */
export interface LiveRequest {
  name: string;
  labels: Record<string, string>;
  keyFingerprint256: string;
  keyType: string;
  hosts: string[];
  subject?: string;
}

export interface LiveNode {
  node: string;
  /** The node's store revision: a plan records it, and apply refuses the plan when it moved. */
  revision: number;
  objects: LiveObject[];
  /**
   * How the node names itself, where the gateway says: lets plan catch a `nodes:` entry that points at
   * another environment's node (a copy-pasted URL would otherwise be "converged" to the wrong stack).
   */
  identity?: { node: string; environment: string };
  /** The node's lock when read (null: free); undefined where the gateway does not say. */
  lock?: LockInfo | null;
  /** Where the node serves TLS (its data plane URL), for verification after apply. */
  listen?: string;
  /** Pending signing requests, where the gateway makes keys for an outside CA. */
  requests?: LiveRequest[];
}

/** One write, as apply sends it: a put carries the full body (keys included, read at apply time). */
export type Operation =
  | { op: "put"; collection: LiveCollection | "requests"; name: string; body: Record<string, unknown> }
  | { op: "delete"; collection: LiveCollection | "requests"; name: string };

export interface ApplyOptions {
  /** The lock's holder, sent with every write while the lock is held. */
  lockHolder?: string;
  /** Refuse (code `stale`) unless the node is still at this revision: the one the plan was made at. */
  ifRevision?: number;
}

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
  /** A certificate served to clients whose SNI matches no host (`default: true`); absent means yes. */
  defaultCertificate?: boolean;
  /** Several operations applied atomically. */
  batch: boolean;
  lock: boolean;
  /** Keys made on the gateway for an outside CA (generate: { csr }), copied sealed between its nodes; absent means no. */
  requests?: boolean;
}

/** A generated certificate as one node holds it, read to give the other nodes of its environment the same one. */
export interface GeneratedCopy {
  /** PEM, leaf first. */
  chain: string;
  key: KeyObject;
  fingerprint256: string;
  keyFingerprint256: string;
}

/**
 * The response to one ACME challenge, as the gateway's listeners serve it while an order runs: http-01 on
 * the plain HTTP listener at /.well-known/acme-challenge/TOKEN, tls-alpn-01 on the TLS listener to clients
 * that offer ALPN acme-tls/1 for `host` (RFC 8737). The tls-alpn-01 key belongs to that one-off certificate.
 */
export type AcmeChallengeBody =
  | { type: "http-01"; token: string; keyAuthorization: string }
  | { type: "tls-alpn-01"; host: string; certificate: string; key: string };

/** A gateway cluster of one kind: every call names the node (an entry of the environment's `nodes`). */
export interface Provider {
  readonly kind: string;
  capabilities(): Capabilities;
  /** Every live object of the node, all read at one revision. */
  read(node: string): Promise<LiveNode>;
  /** Applies operations in order; atomically where `capabilities().batch`. Resolves with the node's new revision. */
  apply(node: string, operations: readonly Operation[], opts?: ApplyOptions): Promise<{ revision: number }>;
  /** Takes the node's lock; the same holder calling again renews the lease (that is how a long apply keeps it). */
  lock(node: string, holder: string, purpose: string, ttlSeconds: number): Promise<LockInfo>;
  /** Releases the holder's lock; a lock that is already gone (expired, released) is not an error. */
  unlock(node: string, holder: string): Promise<void>;
  /** Releases whoever holds the lock; resolves with what was released, or undefined if it was free. */
  forceUnlock(node: string): Promise<LockInfo | undefined>;
  /**
   * The chain and key of a generated certificate on one node, for the holder of that node's lock: apply
   * copies it to the environment's other nodes. Absent where a gateway cannot hand a key out.
   */
  copyGenerated?(node: string, name: string, lockHolder: string): Promise<GeneratedCopy>;
  /**
   * Serves (body) or stops serving (null) an ACME challenge response on one node, for the holder of its lock.
   * Absent where the gateway cannot answer challenges itself.
   */
  acmeChallenge?(node: string, token: string, body: AcmeChallengeBody | null, lockHolder: string): Promise<void>;
  /** Pending signing requests, where `capabilities().requests`. */
  requests?: RequestAccess;
  /** Frees pooled connections; optional because a provider may hold none. */
  close?(): void;
}

/** Builds a provider for one environment's gateway settings (tokens already expanded). */
export type ProviderFactory<G extends Gateway = Gateway> = (gateway: G, opts: ProviderOptions) => Provider;

/** What a provider reports before each attempt of a request: for --verbose logs and tests. Never a body. */
export interface AttemptInfo {
  node: string;
  method: string;
  path: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface ProviderOptions {
  /** Per-request timeout; default: the gateway settings' `timeout`. */
  timeoutMs?: number;
  /** Retries after the first attempt, for connection errors, timeouts and 5xx (never 4xx). Default 5. */
  retries?: number;
  /** Exponential backoff: the n-th retry waits about baseMs·2ⁿ⁻¹ (half of it random), at most maxMs. */
  backoff?: { baseMs?: number; maxMs?: number };
  /**
   * The environment variable the token came from (e.g. CERTFORM_DEV_TOKEN), for the hint of a 401:
   * settings reach the provider already expanded, so it cannot tell by itself.
   */
  tokenVariable?: string;
  /** Where relative paths in the settings (`caFile`) start: the stack's directory. Default: the working directory. */
  baseDir?: string;
  /**
   * PEM of CAs to trust for the admin API besides `caFile` (or the system CAs): the roots of the
   * environment's managementCertificate, so that the nodes stay trusted across its swap.
   */
  adminCas?: string;
  onAttempt?: (info: AttemptInfo) => void;
}

/**
 * A provider failure, with what the gateway said. `status` is the HTTP status where there is one.
 * `code` is the gateway's error code, or one of: unreachable, timeout, unauthorized, locked, stale,
 * tls-untrusted, bad-response. The message never holds a request body (a put carries keys).
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly node: string,
    readonly status?: number,
    readonly details?: Record<string, unknown>,
    /** What to do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

/**
 * Pending signing requests of a gateway that makes keys itself. A request's key goes from one node to another
 * only sealed to the receiving node's transfer key, so certform carries it without being able to read it.
 */
export interface RequestAccess {
  /** The node's transfer key (what a request is sealed to for it). */
  transferKey(node: string): Promise<string>;
  /** The request `name` of `node`, sealed to `recipient`, for the holder of that node's lock. */
  seal(node: string, name: string, recipient: string, lockHolder: string): Promise<{ sealed: Record<string, unknown>; keyFingerprint256: string }>;
  /** The request's CSR (PEM) and key fingerprint, or undefined when the node has no such request. */
  csr(node: string, name: string): Promise<{ csr: string; keyFingerprint256: string } | undefined>;
}
