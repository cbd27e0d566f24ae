import { createPublicKey, type JsonWebKey } from "node:crypto";
import type { EndpointPutBody, JwkPutBody, TrustedPutBody, TrustPutBody } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import { certificatesToPem, checkTrustedCertificate, decodeCertificates, hostProblem } from "../../x509/index.js";
import type { StoredTrusted } from "../state.js";
import { fail, isFailure, type Failure } from "./failure.js";
import { decodeAt, findingField, firstError } from "./material.js";

// The state-independent checks of trusted certificates, endpoints, trust bindings and JWKs; the
// checks against other objects (references, uniqueness) run in the commit (mutations-*.ts).

export type PreparedTrusted = Omit<StoredTrusted, "alias" | "updatedRevision">;

export function prepareTrusted(body: TrustedPutBody, now: Date): PreparedTrusted | Failure {
  const certs = decodeAt("certificate", () => decodeCertificates(body.certificate));
  if (isFailure(certs)) return certs;
  if (certs.length > 1) {
    return fail(422, "certificate-multiple", `certificate: holds ${certs.length} certificates; a trusted alias holds exactly one`, { field: "certificate", hint: "store each CA under its own alias" });
  }
  const problem = firstError(checkTrustedCertificate({ certificates: certs, now, warnBeforeDays: 0 }), (f) => findingField(f));
  return problem ?? { certificatePem: certificatesToPem(certs), labels: body.labels };
}

const CONTROL = /[\u0000-\u001f\u007f]/;

export function prepareEndpoint(body: EndpointPutBody): EndpointPutBody | Failure {
  const url = new URL(body.url);
  if ((url.protocol !== "https:" && url.protocol !== "http:") || CONTROL.test(body.url)) {
    return fail(422, "url-invalid", `url: ${quoteValue(body.url)} is not an http:// or https:// URL`, { field: "url", hint: "write the backend's URL, e.g. https://billing.internal:9443" });
  }
  if (body.path.split("/").includes("..")) {
    return fail(422, "path-invalid", `path: ${quoteValue(body.path)} is not a route prefix: it has a '..' segment`, { field: "path", hint: "start it with / and use URL path characters only, e.g. /billing" });
  }
  return body;
}

export function prepareTrust(body: TrustPutBody): TrustPutBody | Failure {
  const hasEndpoint = body.endpoint !== undefined;
  const hasScope = body.scope !== undefined;
  // With scope clients, an endpoint limits mutual TLS to that endpoint's routes.
  if (hasEndpoint === hasScope && body.scope !== "clients") {
    return fail(422, "trust-target", hasEndpoint ? `give endpoint or scope ${body.scope}, not both` : "a trust binding needs an endpoint or a scope", {
      field: hasEndpoint ? "scope" : "endpoint",
      hint: "bind the alias to one endpoint (endpoint: NAME), or to a scope (scope: environment | management | clients); endpoint goes with scope clients only",
    });
  }
  if (body.scope !== "clients") {
    for (const f of ["hosts", "required"] as const) {
      if (body[f] !== undefined) return fail(422, "trust-clients-only", `${f}: applies to scope clients only`, { field: f, hint: `remove ${f}, or bind with scope: clients` });
    }
  }
  for (const [i, host] of (body.hosts ?? []).entries()) {
    const problem = hostProblem(host);
    if (problem) return fail(422, "host-invalid", `hosts[${i}]: host ${quoteValue(host)} is not valid: ${problem}`, { field: `hosts[${i}]` });
  }
  return body;
}

// RFC 7518 §6.3.2 / §6.4: members that only a private or symmetric key has.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const THUMBPRINT_TYPES = new Set(["RSA", "EC", "OKP"]);

export function prepareJwk(body: JwkPutBody): JwkPutBody | Failure {
  if ((body.source === undefined) === (body.jwk === undefined)) {
    return fail(422, "jwk-source", body.source ? "give source or jwk, not both" : "a JWK needs a source (a certificate or trusted alias) or a jwk", {
      field: "source",
      hint: "source: { certificate: NAME } or { trusted: ALIAS } derives and links it; jwk: { … } keeps a public JWK as given",
    });
  }
  if (!body.jwk) return body;
  // Names only, never values: a private member's value is key material.
  const secret = PRIVATE_MEMBERS.filter((m) => body.jwk![m] !== undefined);
  if (secret.length > 0) {
    return fail(422, "jwk-private", `jwk: holds private key member${secret.length > 1 ? "s" : ""} ${secret.join(", ")}; a published JWK is public`, { field: "jwk", hint: "send the public JWK only (kty, crv, x, y or n, e)" });
  }
  if (!THUMBPRINT_TYPES.has(String(body.jwk.kty))) {
    return fail(422, "jwk-invalid", "jwk: kty must be RSA, EC or OKP", { field: "jwk.kty" });
  }
  try {
    createPublicKey({ key: body.jwk as JsonWebKey, format: "jwk" });
  } catch {
    return fail(422, "jwk-invalid", "jwk: is not a valid public key (check kty, crv and the base64url members)", { field: "jwk" });
  }
  return body;
}
