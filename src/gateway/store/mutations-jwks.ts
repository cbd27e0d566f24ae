import type { JwkPutBody } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import { jwkFromCertificate, jwkThumbprint } from "../../x509/index.js";
import type { GatewayState, JwkSource, StoredJwk } from "../state.js";
import { fail, type Failure } from "./failure.js";
import { certificatesOf } from "./material.js";
import { compact, sameContent, withObject } from "./records.js";

/** The PEM a source names in this state, or a 422 at the source's field. */
function sourcePem(state: GatewayState, source: JwkSource): string | Failure {
  if ("certificate" in source) {
    const cert = state.certificates.get(source.certificate);
    if (cert) return cert.chainPem;
    return fail(422, "reference-missing", `source.certificate: there is no certificate ${quoteValue(source.certificate)}`, { field: "source.certificate", hint: "create the certificate first (in a batch: in an earlier operation)" });
  }
  const trusted = state.trusted.get(source.trusted);
  if (trusted) return trusted.certificatePem;
  return fail(422, "reference-missing", `source.trusted: there is no trusted alias ${quoteValue(source.trusted)}`, { field: "source.trusted", hint: "create the trusted certificate first (in a batch: in an earlier operation)" });
}

export function putJwk(state: GatewayState, name: string, body: JwkPutBody, revision: number): GatewayState | Failure {
  let jwk: Record<string, unknown>;
  if (body.source) {
    const pem = sourcePem(state, body.source);
    if (typeof pem !== "string") return pem;
    jwk = jwkFromCertificate(certificatesOf(pem), compact({ use: body.use, alg: body.alg, kid: body.kid }));
  } else {
    const given = body.jwk!;
    const kid = body.kid ?? (typeof given.kid === "string" ? given.kid : jwkThumbprint(given));
    jwk = compact({ ...given, kid, use: body.use, alg: body.alg ?? given.alg });
  }
  const kid = String(jwk.kid);
  const other = [...state.jwks.values()].find((j) => j.name !== name && j.kid === kid);
  if (other) {
    return fail(409, "kid-duplicate", `kid ${quoteValue(kid)} is already published by JWK ${quoteValue(other.name)}; a JWKS needs distinct kids`, { field: "kid", hint: "set another kid, or replace that JWK" });
  }
  const next: StoredJwk = compact({ name, kid, use: body.use, alg: body.alg, jwk, source: body.source ?? null, labels: body.labels, updatedRevision: revision });
  const existing = state.jwks.get(name);
  if (existing && sameContent(existing, next)) return state;
  return withObject(state, "jwks", name, next);
}

/**
 * A linked JWK follows its certificate: when the certificate is replaced, the JWK is derived again
 * in the same commit. A kid that was the old key's thumbprint (the default) becomes the new one's.
 */
export function refreshLinkedJwks(state: GatewayState, source: JwkSource, pem: string, revision: number): GatewayState {
  let out = state;
  for (const j of [...state.jwks.values()]) {
    if (!j.source || !sameSource(j.source, source)) continue;
    const defaultKid = j.kid === jwkThumbprint(j.jwk);
    const jwk = jwkFromCertificate(certificatesOf(pem), compact({ use: j.use, alg: j.alg, kid: defaultKid ? undefined : j.kid }));
    out = withObject(out, "jwks", j.name, { ...j, kid: String(jwk.kid), jwk, updatedRevision: revision });
  }
  return out;
}

const sameSource = (a: JwkSource, b: JwkSource): boolean =>
  "certificate" in a ? "certificate" in b && a.certificate === b.certificate : "trusted" in b && a.trusted === b.trusted;
