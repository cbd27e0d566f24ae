import type { SecureContext } from "node:tls";
import type { GatewayState } from "../state.js";
import { buildClientPolicies, type ClientPolicies } from "./client-policy.js";
import { contextCache, type ContextCache } from "./contexts.js";
import { jwksDocument } from "./jwks.js";
import { buildRoutes, type Route } from "./routes.js";
import { buildSniTable, selectCertificate, type SniTable } from "./sni.js";
import { aliasResolver, clientBindings, endpointCaSets, type CaSet, type PemCache } from "./truststores.js";

/**
 * Everything the listener consults, derived from one GatewayState. Never changed once built: an apply
 * builds the next one and swaps it in with one assignment, so a handshake or request that read the old
 * one finishes with the old one.
 */
export interface Snapshot {
  revision: number;
  sni: SniTable;
  contexts: ContextCache;
  policies: ClientPolicies;
  routes: Route[];
  endpointTrust: Map<string, CaSet>;
  jwks: string;
  pems: PemCache;
}

export function buildSnapshot(state: GatewayState, previous: Snapshot | undefined, warn: (message: string) => void): Snapshot {
  const certificates = Object.values(state.certificates);
  const pems: PemCache = new Map();
  const resolve = aliasResolver(state, previous?.pems ?? new Map(), pems, warn);
  const snap: Snapshot = {
    revision: state.revision,
    sni: buildSniTable(certificates),
    contexts: contextCache(previous?.contexts.entries() ?? new Map(), certificates, warn),
    policies: buildClientPolicies(clientBindings(state), resolve),
    routes: buildRoutes(Object.values(state.endpoints)),
    endpointTrust: endpointCaSets(state, resolve),
    jwks: jwksDocument(state),
    pems,
  };
  prepareContexts(snap, certificates.flatMap((c) => c.hosts));
  return snap;
}

/**
 * The context for a handshake: the certificate SNI selects, with the client CAs of the name asked for;
 * undefined when no certificate serves the name.
 */
export function contextFor(snap: Snapshot, servername: string | undefined): SecureContext | "unloadable" | undefined {
  const cert = selectCertificate(snap.sni, servername);
  if (!cert) return undefined;
  return snap.contexts.get(cert, snap.policies.forName(servername).trust) ?? "unloadable";
}

/**
 * Makes, during the apply, the contexts that handshakes for known names will ask for, so that no client
 * waits for one. A name nobody listed (under a wildcard) may still need a new combination; that one is
 * made at its first handshake and then kept.
 */
function prepareContexts(snap: Snapshot, hosts: string[]): void {
  for (const name of [...hosts, ...snap.policies.patterns]) contextFor(snap, name);
  contextFor(snap, undefined);
}
