import { PersistentMap } from "./persistent-map.js";

/**
 * What one gateway node holds: the whole of its store, of which every change, a batch included, is
 * committed at once. Private keys are here (the node serves with them) and nowhere
 * in any response.
 */
export interface StoredCertificate {
  name: string;
  /** SNI names served with it; as given, or the leaf's DNS and IP SANs. */
  hosts: string[];
  default: boolean;
  /** PEM, leaf first. */
  chainPem: string;
  /** PEM (PKCS#8). Write-only through the API. */
  keyPem: string;
  generated: boolean;
  labels: Record<string, string>;
  /** The store revision that last wrote it: when several certificates claim a host, the newest serves it. */
  updatedRevision: number;
}

export interface StoredTrusted {
  alias: string;
  certificatePem: string;
  labels: Record<string, string>;
  updatedRevision: number;
}

export interface StoredEndpoint {
  name: string;
  url: string;
  path: string;
  labels: Record<string, string>;
  updatedRevision: number;
}

export type TrustScope = "environment" | "management" | "clients";

/** One trusted alias bound to one endpoint, or to a scope. */
export interface StoredTrust {
  name: string;
  alias: string;
  endpoint?: string;
  scope?: TrustScope;
  hosts?: string[];
  required?: boolean;
  labels: Record<string, string>;
  updatedRevision: number;
}

export type JwkSource = { certificate: string } | { trusted: string };

export interface StoredJwk {
  name: string;
  kid: string;
  use: "sig" | "enc";
  alg?: string;
  /** The public JWK as published (RFC 7517), kid included. */
  jwk: Record<string, unknown>;
  /** The certificate it was derived from, while linked; null once disconnected or when given as a JWK. */
  source: JwkSource | null;
  labels: Record<string, string>;
  updatedRevision: number;
}

/**
 * A certificate signing request waiting for its certificate: the key was made on a node of the environment
 * (and copied sealed to the others); it is used once a certificate signed for it is written with `keyFrom`.
 */
export interface StoredRequest {
  name: string;
  keyType: string;
  subject?: string;
  hosts: string[];
  /** PEM of the PKCS#10 request. */
  csrPem: string;
  /** PEM (PKCS#8). Never returned; leaves the node only sealed to another node. */
  keyPem: string;
  keyFingerprint256: string;
  labels: Record<string, string>;
  updatedRevision: number;
}

export interface StoredLock {
  holder: string;
  purpose: string;
  since: string;
  expiresAt: string;
}

export interface GatewayState {
  format: 1;
  node: string;
  environment: string;
  /** Increases with every committed change. */
  revision: number;
  /**
   * When the revision last increased (ISO 8601), for GET /metrics. Absent until the first change made by a
   * version that records it.
   */
  changedAt?: string;
  certificates: PersistentMap<StoredCertificate>;
  trusted: PersistentMap<StoredTrusted>;
  endpoints: PersistentMap<StoredEndpoint>;
  trust: PersistentMap<StoredTrust>;
  jwks: PersistentMap<StoredJwk>;
  /** Pending signing requests by name: few, so a plain object, journalled whole when one changes. */
  requests: Readonly<Record<string, StoredRequest>>;
  lock: StoredLock | null;
}

/** The stored object type of a collection. */
export type StoredIn<C extends "certificates" | "trusted" | "endpoints" | "trust" | "jwks"> = GatewayState[C] extends PersistentMap<infer T> ? T : never;

/** A state as JSON holds it (store.json, journal records): every collection a plain object by name. */
export type StateDocument = Omit<GatewayState, "certificates" | "trusted" | "endpoints" | "trust" | "jwks"> & {
  [C in "certificates" | "trusted" | "endpoints" | "trust" | "jwks"]: Record<string, StoredIn<C>>;
};

export function emptyState(node: string, environment: string): GatewayState {
  const none = PersistentMap.empty<never>();
  return { format: 1, node, environment, revision: 0, certificates: none, trusted: none, endpoints: none, trust: none, jwks: none, requests: {}, lock: null };
}

/** The state a JSON document describes. */
export function stateFrom(doc: StateDocument): GatewayState {
  return {
    ...doc,
    certificates: PersistentMap.from(doc.certificates),
    trusted: PersistentMap.from(doc.trusted),
    endpoints: PersistentMap.from(doc.endpoints),
    trust: PersistentMap.from(doc.trust),
    jwks: PersistentMap.from(doc.jwks),
    // Stores written before signing requests existed have none.
    requests: doc.requests ?? {},
  };
}
