import type { SecureContext } from "node:tls";
import { PersistentMap } from "../persistent-map.js";
import { MANAGEMENT_OBJECT } from "../../model/names.js";
import type { GatewayState, StoredCertificate } from "../state.js";
import { buildClientPolicies, type ClientPolicies } from "./client-policy.js";
import { contextCache, type ContextCache } from "./contexts.js";
import { jwksDocument } from "./jwks.js";
import { buildRoutes, type Route } from "./routes.js";
import { selectCertificate, sniIndex, type SniIndex, type SniTable } from "./sni.js";
import { aliasResolver, clientBindings, endpointCaSets, type CaSet, type PemCache } from "./truststores.js";

/**
 * Everything the listener consults, derived from one GatewayState. An apply builds the next one and swaps
 * it in with one assignment, so a request that read the old one finishes with the old one. Two parts are
 * shared from one snapshot to the next and updated in place, because rebuilding them would cost time in
 * proportion to every stored certificate: the SNI table and the TLS contexts. Both are only read
 * synchronously, within one SNI callback, so no handshake sees half an update.
 */
export interface Snapshot {
  revision: number;
  /** What it was built from: the next apply finds what changed by comparing objects with it. */
  state: GatewayState;
  sni: SniTable;
  index: SniIndex;
  contexts: ContextCache;
  policies: ClientPolicies;
  routes: Route[];
  endpointTrust: Map<string, CaSet>;
  jwks: string;
  pems: PemCache;
}

// An apply that writes a few certificates makes their contexts at once, so their first clients do not wait
// and a certificate that cannot be loaded is reported at the apply; a large one leaves them to the handshakes.
const PREPARE_AT_APPLY = 64;

export function buildSnapshot(state: GatewayState, previous: Snapshot | undefined, warn: (message: string) => void): Snapshot {
  const before = previous?.state;
  // Derived from the other collections, and made again only when those changed. Everything that can
  // throw comes before the in-place updates below, so a failed apply leaves the previous snapshot whole.
  const trustSame = previous !== undefined && before!.trust === state.trust && before!.trusted === state.trusted && before!.endpoints === state.endpoints;
  let derived: Pick<Snapshot, "pems" | "policies" | "endpointTrust">;
  if (trustSame) derived = previous;
  else {
    const pems: PemCache = new Map();
    const resolve = aliasResolver(state, previous?.pems ?? new Map(), pems, warn);
    derived = { pems, policies: buildClientPolicies(clientBindings(state), resolve), endpointTrust: endpointCaSets(state, resolve) };
  }
  const routes = previous && before!.endpoints === state.endpoints ? previous.routes : buildRoutes([...state.endpoints.values()]);
  const jwks = previous && before!.jwks === state.jwks ? previous.jwks : jwksDocument(state);

  // The management certificate is the admin API's (node.ts), never served to the data plane's clients.
  const changes = PersistentMap.changes(before?.certificates ?? PersistentMap.empty<StoredCertificate>(), state.certificates).filter((c) => c.name !== MANAGEMENT_OBJECT);
  const added = changes.flatMap((c) => (c.after ? [c.after] : []));
  const index = previous?.index ?? sniIndex();
  index.update(
    added,
    changes.flatMap((c) => (c.before ? [c.before] : [])),
  );
  const contexts = previous?.contexts ?? contextCache(warn);
  contexts.carry(changes);
  const snap: Snapshot = { revision: state.revision, state, sni: index.table, index, contexts, policies: derived.policies, routes, endpointTrust: derived.endpointTrust, jwks, pems: derived.pems };
  try {
    prepareContexts(snap, added.length <= PREPARE_AT_APPLY ? added.flatMap((c) => c.hosts) : []);
  } catch (err) {
    // The index already serves this state: the snapshot must be swapped in. Handshakes make what is missing.
    warn(`contexts for revision ${state.revision} could not be prepared (${(err as Error).name})`);
  }
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
 * Makes, during the apply, contexts that handshakes will ask for: those of the certificates it wrote, and
 * those of the names mutual-TLS bindings list (their client CAs may have changed). Any other is made at its
 * first handshake and then kept.
 */
function prepareContexts(snap: Snapshot, hosts: string[]): void {
  for (const name of [...hosts, ...snap.policies.patterns]) contextFor(snap, name);
  contextFor(snap, undefined);
}
