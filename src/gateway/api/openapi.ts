import { z } from "zod";
import * as api from "./admin-api.js";

// The admin API as an OpenAPI 3.1 document, generated from the same zod schemas the gateway validates with.

const REQUEST_SCHEMAS = { CertificatePut: api.CertificatePut, TrustedPut: api.TrustedPut, EndpointPut: api.EndpointPut, TrustPut: api.TrustPut, JwkPut: api.JwkPut, BatchRequest: api.BatchRequest, LockRequest: api.LockRequest, LockRenewRequest: api.LockRenewRequest, LockReleaseRequest: api.LockReleaseRequest, ProbeRequest: api.ProbeRequest, AcmeChallengeRequest: api.AcmeChallengeRequest, RequestPut: api.RequestPut, SealRequest: api.SealRequest };
const RESPONSE_SCHEMAS = { CertificateView: api.CertificateView, TrustedView: api.TrustedView, EndpointView: api.EndpointView, TrustView: api.TrustView, JwkView: api.JwkView, LockView: api.LockView, ProbeResult: api.ProbeResult, StatusView: api.StatusView, ApiError: api.ApiError, BatchResult: api.BatchResult, CertificateCopy: api.CertificateCopy, RequestView: api.RequestView, TransferKeyView: api.TransferKeyView, SealedKey: api.SealedKey };

type Json = Record<string, unknown>;

function collect(schemas: Record<string, z.ZodType>, io: "input" | "output", into: Json): void {
  for (const [name, schema] of Object.entries(schemas)) {
    const json = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as Json;
    const defs = (json.$defs ?? {}) as Json;
    delete json.$defs;
    delete json.$schema;
    // A schema with a meta id comes back as a reference to its own $defs entry: publish the entry itself.
    const own = json.$ref === `#/$defs/${name}` ? (defs[name] as Json) : json;
    for (const [id, def] of Object.entries(defs)) if (id !== name) into[id] ??= def;
    into[name] = own;
  }
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({ description, content: { "application/json": { schema } } });
const error = (description: string) => json(ref("ApiError"), description);
const UNWRITABLE = { "507": error("the node could not write its store (disk full, read-only): nothing was changed, it serves its last state") };
const COMMON_ERRORS = { "401": error("missing or wrong bearer token"), "413": error("body over the size limit"), "423": error("locked by another holder") };

const COLLECTION_VIEWS: Record<api.Collection, [string, string]> = {
  certificates: ["CertificatePut", "CertificateView"],
  trusted: ["TrustedPut", "TrustedView"],
  endpoints: ["EndpointPut", "EndpointView"],
  trust: ["TrustPut", "TrustView"],
  jwks: ["JwkPut", "JwkView"],
};

export function gatewayOpenApi(): Json {
  const schemas: Json = {};
  collect(REQUEST_SCHEMAS, "input", schemas);
  collect(RESPONSE_SCHEMAS, "output", schemas);
  const text = JSON.stringify(schemas).replace(/"#\/\$defs\//g, '"#/components/schemas/');

  const paths: Json = {
    "/v1/status": { get: { summary: "Node, environment, revision and every served certificate", responses: { "200": json(ref("StatusView"), "status") } } },
    "/v1/batch": {
      post: {
        summary: "Apply several writes atomically: all or nothing, one revision",
        requestBody: json(ref("BatchRequest"), "operations, applied in order"),
        responses: { "200": json(ref("BatchResult"), "applied, with the new revision"), "409": error("conflict"), "412": error("If-Match revision moved"), "422": error("an operation is invalid; its index is given"), ...UNWRITABLE, ...COMMON_ERRORS },
      },
    },
    "/v1/lock": {
      post: { summary: "Acquire (or renew, same holder) the node's lease lock", requestBody: json(ref("LockRequest"), "holder, purpose, TTL"), responses: { "200": json(ref("LockView"), "held"), "423": error("held by someone else"), ...UNWRITABLE } },
      delete: { summary: "Release the lock (body { holder }), or ?force=true to release whoever holds it", requestBody: json(ref("LockReleaseRequest"), "the holder (not with ?force=true)"), responses: { "200": json(ref("LockView"), "released"), "404": error("not held"), "423": error("held by someone else") } },
    },
    "/v1/lock/renew": { post: { summary: "Renew the lock", requestBody: json(ref("LockRenewRequest"), "holder and new TTL"), responses: { "200": json(ref("LockView"), "renewed"), "423": error("held by someone else") } } },
    "/v1/probe": { post: { summary: "An HTTPS GET from the management plane, trusting only the management truststore", requestBody: json(ref("ProbeRequest"), "url"), responses: { "200": json(ref("ProbeResult"), "the result, success or the TLS error") } } },
    "/metrics": { get: { summary: "Prometheus text format", responses: { "200": { description: "metrics", content: { "text/plain": { schema: { type: "string" } } } } } } },
  };
  for (const [collection, [put, view]] of Object.entries(COLLECTION_VIEWS)) {
    const list = { type: "object", properties: { revision: { type: "integer" }, items: { type: "array", items: ref(view) } }, required: ["revision", "items"] };
    const writeResponses = { "200": json(ref(view), "replaced"), "201": json(ref(view), "created"), "409": error("conflict (duplicate alias or path)"), "412": error("If-Match revision moved"), "422": error("invalid object: { code, message, field }"), ...UNWRITABLE, ...COMMON_ERRORS };
    paths[`/v1/${collection}`] = {
      get: { summary: `List ${collection}`, responses: { "200": json(list, "all, with the store revision (also the ETag)") } },
      post: { summary: `Create one of ${collection}; 409 if it exists`, requestBody: json(ref(put), "the object, with its name"), responses: writeResponses },
    };
    paths[`/v1/${collection}/{name}`] = {
      parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
      get: { summary: "Read one", responses: { "200": json(ref(view), "the object; ETag is the store revision"), "404": error("no such object") } },
      put: { summary: "Create or replace", parameters: [{ name: "If-Match", in: "header", schema: { type: "string" } }], requestBody: json(ref(put), "the object"), responses: writeResponses },
      delete: { summary: "Delete", responses: { "200": json({ type: "object" }, "deleted"), "404": error("no such object"), "409": error("still in use"), ...COMMON_ERRORS } },
    };
  }
  paths["/v1/certificates/{name}/copy"] = {
    parameters: [
      { name: "name", in: "path", required: true, schema: { type: "string" } },
      { name: "X-Certform-Lock-Holder", in: "header", required: true, schema: { type: "string" }, description: "the holder of the node's lock" },
    ],
    post: {
      summary: "Chain and key of a generated certificate, to copy it to another node of the environment; only for the holder of the node's lock",
      responses: { "200": json(ref("CertificateCopy"), "the chain and its key"), "404": error("no such certificate"), "409": error("not generated, or the node is not locked"), "423": error("locked by another holder"), "401": error("missing or wrong bearer token") },
    },
  };
  const requestList = { type: "object", properties: { revision: { type: "integer" }, items: { type: "array", items: ref("RequestView") } }, required: ["revision", "items"] };
  paths["/v1/requests"] = { get: { summary: "Pending signing requests (written by POST /v1/batch, collection requests); never their keys", responses: { "200": json(requestList, "all, with the store revision (also the ETag)") } } };
  paths["/v1/requests/{name}"] = {
    parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
    get: { summary: "One pending request: its CSR (PEM) for the outside CA and its key's fingerprint", responses: { "200": json(ref("RequestView"), "the request"), "404": error("no such request") } },
  };
  paths["/v1/requests/{name}/seal"] = {
    parameters: [
      { name: "name", in: "path", required: true, schema: { type: "string" } },
      { name: "X-Certform-Lock-Holder", in: "header", required: true, schema: { type: "string" }, description: "the holder of the node's lock" },
    ],
    post: {
      summary: "The request, key included, sealed to another node's transfer key (X25519, HKDF-SHA-256, AES-256-GCM), for a batch put on that node; only for the holder of the node's lock",
      requestBody: json(ref("SealRequest"), "the receiving node's transfer key"),
      responses: { "200": json({ type: "object", properties: { name: { type: "string" }, keyFingerprint256: { type: "string" }, sealed: ref("SealedKey") } }, "the sealed request"), "404": error("no such request"), "409": error("the node is not locked"), "422": error("not an X25519 transfer key"), "423": error("locked by another holder") },
    },
  };
  paths["/v1/transfer-key"] = { get: { summary: "This node's transfer key: pending requests are sealed to it; made at start and held in memory only", responses: { "200": json(ref("TransferKeyView"), "the public key") } } };
  paths["/v1/acme/challenges/{token}"] = {
    parameters: [
      { name: "token", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,256}$" } },
      { name: "X-Certform-Lock-Holder", in: "header", required: true, schema: { type: "string" }, description: "the holder of the node's lock" },
    ],
    put: {
      summary: "Serve the response to one ACME challenge (http-01 on the --http listener, tls-alpn-01 on the TLS listener) while an apply orders a certificate; only for the holder of the node's lock; kept in memory, for 15 minutes at most",
      requestBody: json(ref("AcmeChallengeRequest"), "the challenge response"),
      responses: { "200": json({ type: "object" }, "served from now on"), "400": error("invalid body, token mismatch, or a certificate and key that do not load"), "409": error("the node is not locked"), "423": error("locked by another holder"), "401": error("missing or wrong bearer token") },
    },
    delete: { summary: "Stop serving it", responses: { "200": json({ type: "object" }, "{ token, deleted }"), "409": error("the node is not locked"), "423": error("locked by another holder") } },
  };
  return {
    openapi: "3.1.0",
    info: { title: "certform embedded gateway admin API", version: "1", description: "See docs/gateway.md. Private keys are write-only: no response contains one, except POST /v1/certificates/{name}/copy (generated certificates, to the lock holder only)." },
    components: {
      schemas: JSON.parse(text),
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "required when the node runs with --token-env" } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
}
