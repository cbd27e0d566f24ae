import { quoteValue } from "../../model/redact.js";
import type { GatewayState, StoredCertificate, StoredTrusted } from "../state.js";
import { fail, type Failure } from "./failure.js";
import { refreshLinkedJwks } from "./mutations-jwks.js";
import { pairedCertificate, type KeptCertificate, type PairedCertificate, type PreparedCertificate } from "./prepare-certificate.js";
import { isFailure } from "./failure.js";
import { deleteRequest, requestOf } from "./requests.js";
import { leafOf } from "./material.js";
import { dnsSans, hostCovered, ipSans } from "../../x509/index.js";
import type { PreparedTrusted } from "./prepare-objects.js";
import { sameContent, withObject } from "./records.js";

/**
 * Writes a server certificate. Several certificates may claim the same host or be default: a
 * replacement is created before the old one is deleted, and the newest (updatedRevision) serves.
 */
export function putCertificate(state: GatewayState, name: string, prepared: PreparedCertificate | KeptCertificate | PairedCertificate, revision: number): GatewayState | Failure {
  if ("keyFrom" in prepared) {
    // The pending key meets its certificate: stored as a brought certificate, and the request is done.
    const request = requestOf(state, prepared.keyFrom);
    if (!request) return fail(409, "request-missing", `there is no pending signing request ${quoteValue(prepared.keyFrom)} whose key the certificate could take`, { field: "keyFrom", hint: "create the request first (batch put to requests), then send the certificate signed for its CSR" });
    const value = pairedCertificate(prepared, request.keyPem);
    if (isFailure(value)) return value;
    const written = putCertificate(state, name, value, revision);
    return isFailure(written) ? written : deleteRequest(written, prepared.keyFrom);
  }
  const existing = state.certificates.get(name);
  let value: PreparedCertificate;
  if ("keep" in prepared) {
    if (!existing) {
      return fail(422, "certificate-source", `there is no certificate ${quoteValue(name)} to update, so it needs chain and key, or generate`, { field: "generate", hint: "send chain (PEM, leaf first) and key (PEM), or generate: { hosts: [...] }" });
    }
    const leaf = leafOf(existing.chainPem);
    const sans = [...dnsSans(leaf), ...ipSans(leaf)];
    const uncovered = prepared.hosts.findIndex((h) => !hostCovered(h, sans));
    if (uncovered >= 0) {
      return fail(422, "host-not-covered", `host ${quoteValue(prepared.hosts[uncovered]!)} is not covered by the certificate's SANs (${sans.join(", ")})`, { field: `hosts[${uncovered}]`, hint: "send a certificate that covers it" });
    }
    value = { ...existing, hosts: prepared.hosts.length > 0 ? prepared.hosts : sans, default: prepared.default, labels: prepared.labels };
    delete (value as Partial<StoredCertificate>).name;
    delete (value as Partial<StoredCertificate>).updatedRevision;
  } else value = prepared;
  const next: StoredCertificate = { name, ...value, updatedRevision: revision };
  if (existing && sameContent(existing, next)) return state;
  const written = withObject(state, "certificates", name, next);
  return existing && existing.chainPem !== next.chainPem ? refreshLinkedJwks(written, { certificate: name }, next.chainPem, revision) : written;
}

/** Writes a trusted certificate; aliases are unique without case, as Java truststores compare them. */
export function putTrusted(state: GatewayState, alias: string, value: PreparedTrusted, revision: number): GatewayState | Failure {
  const clash = [...state.trusted.keys()].find((a) => a !== alias && a.toLowerCase() === alias.toLowerCase());
  if (clash) {
    return fail(409, "alias-duplicate", `alias ${quoteValue(alias)} is already taken by ${quoteValue(clash)}; aliases are compared without case`, {
      field: "alias",
      hint: `replace ${quoteValue(clash)} itself, or choose another alias`,
    });
  }
  const existing = state.trusted.get(alias);
  const next: StoredTrusted = { alias, ...value, updatedRevision: revision };
  if (existing && sameContent(existing, next)) return state;
  const written = withObject(state, "trusted", alias, next);
  return existing && existing.certificatePem !== next.certificatePem ? refreshLinkedJwks(written, { trusted: alias }, next.certificatePem, revision) : written;
}
