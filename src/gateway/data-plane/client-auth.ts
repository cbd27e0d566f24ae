import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { issuedBy } from "../../x509/chain-order.js";
import type { ClientPolicies, ClientPolicy, EndpointClientPolicy } from "./client-policy.js";
import { hostHeaderName, normalizeName } from "./host-names.js";
import type { TrustedCa } from "./truststores.js";

export interface Denial {
  status: 403 | 421;
  error: { code: "client-certificate-required" | "client-certificate-untrusted" | "misdirected-request"; message: string; host: string | null; endpoint?: string };
}

// Verdicts per connection and policy: the certificate cannot change within a connection, the policy can.
const verdicts = new WeakMap<TLSSocket, { key: string; denial: Denial | undefined }>();

/**
 * Mutual TLS, enforced per request: the listener's verify mode is fixed before the client names its host,
 * so every client is asked and the policy of the connection's SNI name decides here. A request whose Host
 * enforces a different policy gets 421, so that no client reaches a protected host through a connection
 * made for another name (or none); a Host that enforces nothing is served under the connection's policy.
 */
export function clientAccess(socket: TLSSocket, hostHeader: string | undefined, policies: ClientPolicies): Denial | undefined {
  if (!policies.any) return undefined;
  const sni = typeof socket.servername === "string" && socket.servername !== "" ? normalizeName(socket.servername) : undefined;
  const policy = policies.forName(sni);
  const host = hostHeaderName(hostHeader);
  const asked = host !== undefined && host !== sni ? policies.forName(host) : policy;
  if (asked.enforced && asked.key !== policy.key) {
    return {
      status: 421,
      error: {
        code: "misdirected-request",
        message: `this connection was made for ${sni ? JSON.stringify(sni) : "no SNI name"}, but ${JSON.stringify(host)} has other client certificate requirements: connect with SNI ${JSON.stringify(host)}`,
        host: host ?? null,
      },
    };
  }
  if (!policy.enforced) return undefined;
  const cached = verdicts.get(socket);
  if (cached && cached.key === policy.key) return cached.denial;
  const denial = verdict(socket, policy, sni ?? host ?? null);
  verdicts.set(socket, { key: policy.key, denial });
  return denial;
}

function verdict(socket: TLSSocket, policy: ClientPolicy, host: string | null): Denial | undefined {
  const peer = socket.getPeerX509Certificate();
  if (!peer) {
    if (!policy.required) return undefined;
    return { status: 403, error: { code: "client-certificate-required", message: "this host requires a client certificate (mutual TLS), and none was presented on this connection", host } };
  }
  // OpenSSL checked the chain (signatures, validity, CA constraints) against the CAs this host trusted
  // at the handshake; the anchor check makes it the CAs trusted now, should trust have changed since.
  const reason = !socket.authorized ? String(socket.authorizationError ?? "not verified") : anchored(presentedChain(socket, peer), policy.enforcedTrust.cas) ? undefined : "not issued by a CA this host trusts now";
  if (reason === undefined) return undefined;
  return { status: 403, error: { code: "client-certificate-untrusted", message: `the client certificate is not trusted for this host (${reason})`, host } };
}

// Per connection, by endpoint policy key: the verdicts on that connection's certificate.
const endpointVerdicts = new WeakMap<TLSSocket, Map<string, Denial | undefined>>();

/**
 * Mutual TLS for one endpoint's routes, whatever the Host: the connection must carry a certificate that
 * OpenSSL verified and that chains to the endpoint's CAs. A connection made for a host that does not ask
 * for the endpoint's certificate cannot carry one, and the denial says which hosts do ask.
 */
export function endpointAccess(socket: TLSSocket, endpoint: string, policies: ClientPolicies): Denial | undefined {
  const policy = policies.forEndpoint(endpoint);
  if (!policy) return undefined;
  let cache = endpointVerdicts.get(socket);
  const key = `${endpoint}\n${policy.key}`;
  if (cache?.has(key)) return cache.get(key);
  const denial = endpointVerdict(socket, policy, policies);
  if (!cache) endpointVerdicts.set(socket, (cache = new Map()));
  cache.set(key, denial);
  return denial;
}

function endpointVerdict(socket: TLSSocket, policy: EndpointClientPolicy, policies: ClientPolicies): Denial | undefined {
  const sni = typeof socket.servername === "string" && socket.servername !== "" ? normalizeName(socket.servername) : undefined;
  const here = sni ?? null;
  const asksHere = policies.forName(sni).endpoints.has(policy.endpoint);
  const elsewhere = asksHere ? "" : `; this connection was made for ${sni ? JSON.stringify(sni) : "no SNI name"}, which does not ask for it: connect with SNI ${(policy.hosts ?? []).map((h) => JSON.stringify(h)).join(" or ")}`;
  const peer = socket.getPeerX509Certificate();
  if (!peer) {
    if (!policy.required) return undefined;
    return { status: 403, error: { code: "client-certificate-required", message: `endpoint ${policy.endpoint} requires a client certificate (mutual TLS), and none was presented on this connection${elsewhere}`, host: here, endpoint: policy.endpoint } };
  }
  const reason = !socket.authorized ? String(socket.authorizationError ?? "not verified") : anchored(presentedChain(socket, peer), policy.trust.cas) ? undefined : "not issued by a CA this endpoint trusts now";
  if (reason === undefined) return undefined;
  return { status: 403, error: { code: "client-certificate-untrusted", message: `the client certificate is not trusted for endpoint ${policy.endpoint} (${reason})${elsewhere}`, host: here, endpoint: policy.endpoint } };
}

// The chain the client sent, taken when the handshake completes: OpenSSL may let go of it once the
// connection carries data, after which only the leaf is left.
const chains = new WeakMap<TLSSocket, Buffer[]>();

/** Call on 'secureConnection', before any data is read. */
export function rememberPresentedChain(socket: TLSSocket): void {
  const raws: Buffer[] = [];
  const seen = new Set<string>();
  let cur: { raw?: Buffer; fingerprint256?: string; issuerCertificate?: unknown } | undefined = socket.getPeerCertificate(true);
  while (cur?.raw && cur.fingerprint256 && !seen.has(cur.fingerprint256)) {
    seen.add(cur.fingerprint256);
    raws.push(cur.raw);
    cur = cur.issuerCertificate as typeof cur;
  }
  if (raws.length > 0) chains.set(socket, raws);
}

/** The certificates the client sent, leaf first (Node adds the issuers it found among the trusted CAs). */
function presentedChain(socket: TLSSocket, leaf: X509Certificate): X509Certificate[] {
  const raws = chains.get(socket);
  return raws ? raws.map((raw) => new X509Certificate(raw)) : [leaf];
}

/** True when the chain leads, through certificates the client sent, to one of `cas` (or contains one). */
export function anchored(chain: X509Certificate[], cas: readonly TrustedCa[]): boolean {
  let cur = chain[0];
  const rest = chain.slice(1);
  for (let depth = 0; cur && depth <= chain.length; depth++) {
    const c: X509Certificate = cur;
    if (cas.some((ca) => ca.certificate.fingerprint256 === c.fingerprint256 || issuedBy(c, ca.certificate))) return true;
    cur = rest.find((next) => next.fingerprint256 !== c.fingerprint256 && issuedBy(c, next));
  }
  return false;
}
