import { z } from "zod";
import { TRUST_SCOPES } from "../../model/resources.js";
import { KEY_TYPES } from "../../model/sources.js";
import { RequestPut } from "./requests-api.js";
import { Alias, Host, Labels, ObjectName, Pem } from "./wire-values.js";

// The embedded gateway's admin API, version 1: the wire format shared by the gateway (src/gateway) and
// its provider (src/providers/embedded). Requests are validated with these schemas; responses follow them.
// Pending signing requests have theirs in requests-api.ts.

export { RequestPut, RequestView, SealedKey, SealRequest, TransferKeyView, type RequestPutBody, type RequestViewBody, type SealedKeyBody } from "./requests-api.js";

export { Labels } from "./wire-values.js";

export const GenerateRequest = z.strictObject({
  hosts: z.array(Host).min(1),
  keyType: z.enum(KEY_TYPES).default("ec-p256"),
  validityDays: z.number().int().min(1).max(3650).default(90),
  subject: z.string().max(256).optional().describe("Common name; default: the first host."),
  issuer: z.strictObject({ chain: Pem, key: Pem }).optional().describe("Issue from this CA (certificate PEM, key PEM) instead of self-signing."),
});

/** PUT /v1/certificates/{name}: bring a chain and its key, or have the gateway generate both. */
export const CertificatePut = z
  .strictObject({
    hosts: z.array(Host).default([]).describe("SNI names; default: the leaf's DNS and IP SANs."),
    default: z.boolean().default(false).describe("Served to clients whose SNI matches no host."),
    chain: Pem.optional().describe("PEM, leaf first, then intermediates."),
    key: Pem.optional().describe("PEM private key; write-only: never returned."),
    generate: GenerateRequest.optional().describe("Made on this node. certform itself sends generated certificates as chain and key (generated: true), so that every node of an environment serves the same one."),
    generated: z.boolean().optional().describe("With chain and key: material generated for the environment (by certform, or copied from another node), stored and shown as generated."),
    keyFrom: ObjectName.optional().describe("With chain and no key: the pending signing request (requests/{name}) the chain was signed for; its key is used and the request is done with (deleted) in the same write."),
    labels: Labels,
  })
  .meta({ id: "CertificatePut" });

/**
 * POST /v1/certificates/{name}/copy: what another node of the environment needs to serve the same generated
 * certificate. The one response that holds a private key: only for generated certificates, and only to the
 * holder of the node's lock (X-Certform-Lock-Holder), so that only a running apply can read it.
 */
export const CertificateCopy = z
  .object({
    name: z.string(),
    chain: z.string().describe("PEM of the chain, leaf first."),
    key: z.string().describe("PEM (PKCS#8) private key of the leaf."),
    fingerprint256: z.string(),
    keyFingerprint256: z.string(),
  })
  .meta({ id: "CertificateCopy" });

export const CertificateView = z
  .object({
    name: z.string(),
    hosts: z.array(z.string()),
    default: z.boolean(),
    chain: z.string().describe("PEM of the chain, leaf first."),
    fingerprint256: z.string(),
    keyFingerprint256: z.string().describe("SHA-256 of the public key; the key itself is never returned."),
    subject: z.string(),
    issuer: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
    generated: z.boolean(),
    labels: z.record(z.string(), z.string()),
    updatedRevision: z.number().int(),
  })
  .meta({ id: "CertificateView" });

/** PUT /v1/trusted/{alias}. */
export const TrustedPut = z.strictObject({ certificate: Pem.describe("PEM of one certificate."), labels: Labels }).meta({ id: "TrustedPut" });
export const TrustedView = z
  .object({ alias: z.string(), certificate: z.string(), fingerprint256: z.string(), subject: z.string(), issuer: z.string(), notAfter: z.string(), labels: z.record(z.string(), z.string()), updatedRevision: z.number().int() })
  .meta({ id: "TrustedView" });

/** PUT /v1/endpoints/{name}. */
export const EndpointPut = z
  .strictObject({
    url: z.string().url().max(2048).describe("Backend URL, http:// or https://."),
    path: z.string().regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, "a route prefix starting with /"),
    labels: Labels,
  })
  .meta({ id: "EndpointPut" });
export const EndpointView = z
  .object({ name: z.string(), url: z.string(), path: z.string(), trustedAliases: z.array(z.string()).describe("Derived from trust bindings with this endpoint (its backend's trust; client bindings are not listed)."), labels: z.record(z.string(), z.string()), updatedRevision: z.number().int() })
  .meta({ id: "EndpointView" });

/** PUT /v1/trust/{name}: one trusted alias bound to an endpoint or a scope, or (scope clients) to an endpoint's clients. */
export const TrustPut = z
  .strictObject({
    alias: Alias,
    endpoint: ObjectName.optional().describe("Without scope: the endpoint's backend trusts the alias. With scope clients: only this endpoint's routes require the client certificate."),
    scope: z.enum(TRUST_SCOPES).optional(),
    hosts: z.array(Host).optional().describe("scope clients: the hosts that ask clients for a certificate (default: every host); without endpoint, every request to them must present one."),
    required: z.boolean().optional().describe("scope clients: false lets clients without a certificate through (default true)."),
    labels: Labels,
  })
  .meta({ id: "TrustPut" });
export const TrustView = TrustPut.extend({ name: z.string(), labels: z.record(z.string(), z.string()), updatedRevision: z.number().int() }).meta({ id: "TrustView" });

/** PUT /v1/jwks/{name}: derived from a certificate (and linked to it), or a standalone public JWK. */
export const JwkPut = z
  .strictObject({
    source: z
      .union([z.strictObject({ certificate: ObjectName }), z.strictObject({ trusted: Alias })])
      .optional()
      .describe("Derive the key from this server certificate or trusted alias, and link the JWK to it."),
    jwk: z.record(z.string(), z.unknown()).optional().describe("A public JWK (RFC 7517), for a JWK kept without a link."),
    use: z.enum(["sig", "enc"]).default("sig"),
    alg: z.string().max(32).optional(),
    kid: z.string().min(1).max(256).optional().describe("Default: the RFC 7638 thumbprint."),
    labels: Labels,
  })
  .meta({ id: "JwkPut" });
export const JwkView = z
  .object({
    name: z.string(),
    kid: z.string(),
    use: z.enum(["sig", "enc"]),
    alg: z.string().optional(),
    jwk: z.record(z.string(), z.unknown()).describe("The public JWK as published."),
    source: z.union([z.object({ certificate: z.string() }), z.object({ trusted: z.string() })]).nullable().describe("The certificate it came from, while linked."),
    labels: z.record(z.string(), z.string()),
    updatedRevision: z.number().int(),
  })
  .meta({ id: "JwkView" });

export const COLLECTIONS = ["certificates", "trusted", "endpoints", "trust", "jwks"] as const;
export type Collection = (typeof COLLECTIONS)[number];
/** What a batch writes: the object collections, and pending signing requests. */
export const BATCH_COLLECTIONS = [...COLLECTIONS, "requests"] as const;
export type BatchCollection = (typeof BATCH_COLLECTIONS)[number];

export const PUT_SCHEMAS = { certificates: CertificatePut, trusted: TrustedPut, endpoints: EndpointPut, trust: TrustPut, jwks: JwkPut } as const;

/** POST /v1/batch: applied in order, all or nothing. */
export const BatchRequest = z
  .strictObject({
    operations: z
      .array(
        z.strictObject({
          op: z.enum(["put", "delete"]),
          collection: z.enum(BATCH_COLLECTIONS),
          name: z.string().min(1).max(64),
          body: z.unknown().optional().describe("For put: the collection's PUT body."),
        }),
      )
      .min(1)
      .max(1000),
  })
  .meta({ id: "BatchRequest" });

/** The answer to a successful batch: every operation's outcome, and the one new revision. */
export const BatchResult = z
  .object({
    revision: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int(),
        op: z.enum(["put", "delete"]),
        collection: z.enum(BATCH_COLLECTIONS),
        name: z.string(),
        status: z.number().int().describe("201 created, 200 replaced, unchanged or deleted."),
        item: z.record(z.string(), z.unknown()).describe("The object's view: as written, or as it was before its deletion."),
      }),
    ),
  })
  .meta({ id: "BatchResult" });

export const LockRequest = z
  .strictObject({ holder: z.string().min(1).max(256), purpose: z.string().max(256).default(""), ttlSeconds: z.number().int().min(1).max(86_400).default(300) })
  .meta({ id: "LockRequest" });
/** POST /v1/lock/renew: extend the holder's lease; the default TTL is that of a new lock. */
export const LockRenewRequest = z
  .strictObject({ holder: z.string().min(1).max(256), ttlSeconds: z.number().int().min(1).max(86_400).default(300) })
  .meta({ id: "LockRenewRequest" });
/** DELETE /v1/lock body (without ?force=true). */
export const LockReleaseRequest = z.strictObject({ holder: z.string().min(1).max(256) }).meta({ id: "LockReleaseRequest" });
export const LockView = z
  .object({ holder: z.string(), purpose: z.string(), since: z.string(), expiresAt: z.string() })
  .meta({ id: "LockView" });

export const ProbeRequest = z.strictObject({ url: z.string().url(), timeoutMs: z.number().int().min(100).max(60_000).default(10_000) }).meta({ id: "ProbeRequest" });
export const ProbeResult = z
  .object({ ok: z.boolean(), status: z.number().int().optional(), error: z.object({ code: z.string(), message: z.string() }).optional() })
  .meta({ id: "ProbeResult" });

export const StatusView = z
  .object({
    node: z.string(),
    environment: z.string(),
    listen: z.string().optional().describe("The data plane's URL, e.g. https://127.0.0.1:8443 (verification connects there); absent when the admin API runs without a data plane."),
    revision: z.number().int(),
    certificates: z.array(z.object({ name: z.string(), hosts: z.array(z.string()), fingerprint256: z.string(), notAfter: z.string(), default: z.boolean() })),
    trusted: z.number().int(),
    endpoints: z.number().int(),
    jwks: z.number().int(),
    lock: LockView.nullable(),
  })
  .meta({ id: "StatusView" });

/** Every 4xx/5xx body. */
export const ApiError = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional().describe("Where in the body: dots and brackets, relative to the object (for a batch, to the operation's body)."),
      hint: z.string().optional().describe("What to do about it."),
      index: z.number().int().optional().describe("POST /v1/batch: the operation that failed."),
      revision: z.number().int().optional().describe("412: the store's current revision."),
      holder: z.string().optional().describe("423: who holds the lock."),
      purpose: z.string().optional(),
      since: z.string().optional(),
      expiresAt: z.string().optional(),
    }),
  })
  .meta({ id: "ApiError" });

export type CertificatePutBody = z.output<typeof CertificatePut>;
export type TrustedPutBody = z.output<typeof TrustedPut>;
export type EndpointPutBody = z.output<typeof EndpointPut>;
export type TrustPutBody = z.output<typeof TrustPut>;
export type JwkPutBody = z.output<typeof JwkPut>;
export type CertificateViewBody = z.output<typeof CertificateView>;
export type TrustedViewBody = z.output<typeof TrustedView>;
export type EndpointViewBody = z.output<typeof EndpointView>;
export type TrustViewBody = z.output<typeof TrustView>;
export type JwkViewBody = z.output<typeof JwkView>;
export type StatusViewBody = z.output<typeof StatusView>;
export type LockViewBody = z.output<typeof LockView>;
export type ApiErrorBody = z.output<typeof ApiError>;
export type BatchResultBody = z.output<typeof BatchResult>;
export type ProbeResultBody = z.output<typeof ProbeResult>;
export type CertificateCopyBody = z.output<typeof CertificateCopy>;

export const AcmeChallengeRequest = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("http-01"),
      token: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/).describe("The challenge token: the same as in the path."),
      keyAuthorization: z.string().regex(/^[A-Za-z0-9_.-]{1,512}$/).describe("Served as the body of GET /.well-known/acme-challenge/{token} on the --http listener."),
    }),
    z.strictObject({
      type: z.literal("tls-alpn-01"),
      host: Host.describe("The name the CA validates: handshakes that name it and offer ALPN acme-tls/1 get `certificate`."),
      certificate: Pem.describe("PEM of the RFC 8737 challenge certificate (acmeIdentifier extension)."),
      key: Pem.describe("PEM of that certificate's one-off key; never returned."),
    }),
  ])
  .meta({ id: "AcmeChallengeRequest", description: "PUT /v1/acme/challenges/{token}: the response this node serves for one ACME challenge." });
export type AcmeChallengeRequestBody = z.output<typeof AcmeChallengeRequest>;
