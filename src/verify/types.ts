/**
 * The values verification works on: what must be served (a target per environment), and each mismatch
 * found. Shared by the handshake checks (verify.ts), the content checks (content.ts) and the builders of
 * targets from a plan (planned.ts) or a stack (stack-target.ts).
 */
import type { EndpointTrust, Listener } from "./probes.js";

export interface VerifyTarget {
  environment: string;
  /** `admin` names the node (as the stack's `nodes:` does); `listen` is its data plane URL, from /v1/status `listen`. */
  nodes: { admin: string; listen: string }[];
  /** What each declared host must serve: the leaf's SHA-256 fingerprint, as read back from the node after apply. */
  certificates: { address: string; hosts: string[]; fingerprint256: string; default: boolean }[];
  /** Kids the JWKS must hold. */
  jwks: { address: string; kid: string }[];
  /** The trusted aliases each endpoint must have, no more, no fewer. */
  endpoints: { address: string; path: string; trustedAliases: string[] }[];
}

/**
 * One mismatch. `node` is the node's admin URL; `address` the declared object it concerns; `host` the
 * declared host for certificate checks (absent for the default certificate's no-SNI check). Codes:
 * `wrong-certificate`, `handshake-failed`, `jwk-missing`, `jwks-unreadable`, `trust-missing`,
 * `trust-unexpected`, `endpoint-missing`, `endpoints-unreadable`.
 */
export interface VerifyFailure {
  environment: string;
  node: string;
  address: string;
  host?: string;
  code: VerifyCode;
  message: string;
  /** wrong-certificate: the leaf SHA-256 fingerprints declared (several when certificates share a host) and served. */
  expected?: string[];
  served?: string;
}

export type VerifyCode =
  | "wrong-certificate"
  | "handshake-failed"
  | "jwk-missing"
  | "jwks-unreadable"
  | "trust-missing"
  | "trust-unexpected"
  | "endpoint-missing"
  | "endpoints-unreadable";

export interface VerifyOptions {
  /** Per check (one handshake, one JWKS fetch, one endpoints read). Default 5000. */
  timeoutMs?: number;
  /** Checks in flight at once, over all nodes. Default 8. */
  concurrency?: number;
  /**
   * Reads a node's endpoints with their trusted aliases. Default: a plain GET of `${admin}/v1/endpoints`;
   * pass a reader built on the provider when the admin API needs a token or a private CA. `path` and
   * `labels` (certform.dev/address), when given, match live endpoints to declared ones; otherwise the
   * endpoint's name is taken to be the declared resource's name.
   */
  readEndpoints?: (admin: string) => Promise<EndpointTrust[]>;
}

export type Certificate = VerifyTarget["certificates"][number];

/** What one handshake must show: any of `claimants` (several certificates may claim one host). */
export interface HostCheck {
  /** The declared host; undefined for the default certificate's check. */
  host: string | undefined;
  kind: "name" | "wildcard" | "address" | "default";
  claimants: Certificate[];
}

/** Handshakes to make on every node: SNI (undefined: none) and what each must show. */
export interface HandshakePlan {
  sni: string | undefined;
  checks: HostCheck[];
}

export interface NodeContext {
  environment: string;
  node: string;
  at: Listener;
}

export const where = (ctx: NodeContext) => `environment ${ctx.environment}, node ${ctx.node}`;


/** One mismatch as apply and `certform verify` report it. */
export interface VerificationProblem {
  environment: string;
  node: string;
  address: string;
  host?: string;
  code: string;
  message: string;
  /** For a certificate served wrongly: the declared and the served leaf SHA-256. */
  expected?: string[];
  served?: string;
}
