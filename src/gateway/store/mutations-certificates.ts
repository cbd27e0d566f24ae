import { quoteValue } from "../../model/redact.js";
import type { GatewayState, StoredCertificate, StoredTrusted } from "../state.js";
import { fail, type Failure } from "./failure.js";
import { refreshLinkedJwks } from "./mutations-jwks.js";
import type { PreparedCertificate } from "./prepare-certificate.js";
import type { PreparedTrusted } from "./prepare-objects.js";
import { getOwn, sameContent, withObject } from "./records.js";

/**
 * Writes a server certificate. Several certificates may claim the same host or be default: a
 * replacement is created before the old one is deleted, and the newest (updatedRevision) serves.
 */
export function putCertificate(state: GatewayState, name: string, value: PreparedCertificate, revision: number): GatewayState {
  const existing = getOwn(state.certificates, name);
  const next: StoredCertificate = { name, ...value, updatedRevision: revision };
  if (existing && sameContent(existing, next)) return state;
  const written = withObject(state, "certificates", name, next);
  return existing && existing.chainPem !== next.chainPem ? refreshLinkedJwks(written, { certificate: name }, next.chainPem, revision) : written;
}

/** Writes a trusted certificate; aliases are unique without case, as Java truststores compare them. */
export function putTrusted(state: GatewayState, alias: string, value: PreparedTrusted, revision: number): GatewayState | Failure {
  const clash = Object.keys(state.trusted).find((a) => a !== alias && a.toLowerCase() === alias.toLowerCase());
  if (clash) {
    return fail(409, "alias-duplicate", `alias ${quoteValue(alias)} is already taken by ${quoteValue(clash)}; aliases are compared without case`, {
      field: "alias",
      hint: `replace ${quoteValue(clash)} itself, or choose another alias`,
    });
  }
  const existing = getOwn(state.trusted, alias);
  const next: StoredTrusted = { alias, ...value, updatedRevision: revision };
  if (existing && sameContent(existing, next)) return state;
  const written = withObject(state, "trusted", alias, next);
  return existing && existing.certificatePem !== next.certificatePem ? refreshLinkedJwks(written, { trusted: alias }, next.certificatePem, revision) : written;
}
