import type { z } from "zod";
import { PUT_SCHEMAS, type Collection, type EndpointPutBody, type JwkPutBody, type TrustPutBody } from "../api/admin-api.js";
import { ALIAS_PATTERN, MANAGEMENT_OBJECT, NAME_PATTERN } from "../../model/names.js";
import { quoteValue } from "../../model/redact.js";
import type { GatewayState } from "../state.js";
import { fail, isFailure, schemaFailure, type Failure } from "./failure.js";
import { putCertificate, putTrusted } from "./mutations-certificates.js";
import { putJwk } from "./mutations-jwks.js";
import { putEndpoint, putTrust } from "./mutations-routing.js";
import { prepareCertificate, type KeptCertificate, type PairedCertificate, type PreparedCertificate } from "./prepare-certificate.js";
import { prepareEndpoint, prepareJwk, prepareTrust, prepareTrusted, type PreparedTrusted } from "./prepare-objects.js";
import { withoutObject } from "./records.js";

/** A PUT body parsed, decoded and checked on its own: what is left to check needs the state. */
export type PreparedPut =
  | { collection: "certificates"; value: PreparedCertificate | KeptCertificate | PairedCertificate }
  | { collection: "trusted"; value: PreparedTrusted }
  | { collection: "endpoints"; value: EndpointPutBody }
  | { collection: "trust"; value: TrustPutBody }
  | { collection: "jwks"; value: JwkPutBody };

/** What one object of a collection is called in messages. */
export const NOUN: Record<Collection, string> = { certificates: "certificate", trusted: "trusted alias", endpoints: "endpoint", trust: "trust binding", jwks: "JWK" };

/** The name of an object: an alias for trusted certificates, a name for the rest. */
export function nameProblem(collection: Collection, name: string, field = "name"): Failure | undefined {
  const pattern = collection === "trusted" ? ALIAS_PATTERN : NAME_PATTERN;
  if (pattern.test(name) && name !== "__proto__") return undefined;
  if (collection === "certificates" && name === MANAGEMENT_OBJECT) return undefined;
  return fail(422, "name-invalid", `${field}: ${quoteValue(name)} is not a valid ${NOUN[collection]} name`, {
    field,
    hint: collection === "trusted" ? "use 1 to 64 characters of A-Z a-z 0-9 . _ -" : "use 1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit",
  });
}

/**
 * Schema, decoding and every check that needs no other object. Async because `generate` makes a
 * key; done outside the commit queue so that one slow generation does not hold up other writes.
 */
export async function preparePut(collection: Collection, body: unknown, now: Date): Promise<PreparedPut | Failure> {
  const parse = <S extends z.ZodType>(schema: S): z.output<S> | Failure => {
    const r = schema.safeParse(body);
    return r.success ? r.data : schemaFailure(r.error);
  };
  switch (collection) {
    case "certificates": {
      const b = parse(PUT_SCHEMAS.certificates);
      if (isFailure(b)) return b;
      const value = await prepareCertificate(b, now);
      return isFailure(value) ? value : { collection, value };
    }
    case "trusted": {
      const b = parse(PUT_SCHEMAS.trusted);
      const value = isFailure(b) ? b : prepareTrusted(b, now);
      return isFailure(value) ? value : { collection, value };
    }
    case "endpoints": {
      const b = parse(PUT_SCHEMAS.endpoints);
      const value = isFailure(b) ? b : prepareEndpoint(b);
      return isFailure(value) ? value : { collection, value };
    }
    case "trust": {
      const b = parse(PUT_SCHEMAS.trust);
      const value = isFailure(b) ? b : prepareTrust(b);
      return isFailure(value) ? value : { collection, value };
    }
    case "jwks": {
      const b = parse(PUT_SCHEMAS.jwks);
      const value = isFailure(b) ? b : prepareJwk(b);
      return isFailure(value) ? value : { collection, value };
    }
  }
}

/** Writes a prepared object into `state`; returns `state` itself when the object is already stored as given. */
export function applyPut(state: GatewayState, name: string, put: PreparedPut, revision: number): GatewayState | Failure {
  switch (put.collection) {
    case "certificates":
      return putCertificate(state, name, put.value, revision);
    case "trusted":
      return putTrusted(state, name, put.value, revision);
    case "endpoints":
      return putEndpoint(state, name, put.value, revision);
    case "trust":
      return putTrust(state, name, put.value, revision);
    case "jwks":
      return putJwk(state, name, put.value, revision);
  }
}

/** Deletes an object that nothing refers to: 404 when missing, 409 in-use naming every referrer. */
export function applyDelete(state: GatewayState, collection: Collection, name: string): GatewayState | Failure {
  if (!state[collection].get(name)) return fail(404, "not-found", `there is no ${NOUN[collection]} ${quoteValue(name)}`);
  const users = referrers(state, collection, name);
  if (users.length > 0) {
    return fail(409, "in-use", `${NOUN[collection]} ${quoteValue(name)} is in use by ${users.join(", ")}`, {
      hint: "delete or change those first (in a batch: in an earlier operation)",
    });
  }
  return withoutObject(state, collection, name);
}

/** "trust binding \"x\"", "JWK \"y\"": what still points at an object. */
export function referrers(state: GatewayState, collection: Collection, name: string): string[] {
  const out: string[] = [];
  // In name order: the message lists them the same way every time.
  const byName = <T extends { name: string }>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const trust = byName(state.trust.values());
  const jwks = byName(state.jwks.values());
  if (collection === "trusted") {
    for (const t of trust) if (t.alias === name) out.push(`trust binding ${quoteValue(t.name)}`);
    for (const j of jwks) if (j.source && "trusted" in j.source && j.source.trusted === name) out.push(`JWK ${quoteValue(j.name)}`);
  }
  if (collection === "endpoints") for (const t of trust) if (t.endpoint === name) out.push(`trust binding ${quoteValue(t.name)}`);
  if (collection === "certificates") {
    for (const j of jwks) if (j.source && "certificate" in j.source && j.source.certificate === name) out.push(`JWK ${quoteValue(j.name)}`);
  }
  return out;
}
