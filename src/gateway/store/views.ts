import type {
  CertificateViewBody,
  Collection,
  EndpointViewBody,
  JwkViewBody,
  LockViewBody,
  StatusViewBody,
  TrustedViewBody,
  TrustViewBody,
} from "../api/admin-api.js";
import { certFields } from "../../x509/index.js";
import type { GatewayState, StoredCertificate, StoredEndpoint, StoredJwk, StoredLock, StoredTrust, StoredTrusted } from "../state.js";
import { activeLock } from "./lock.js";
import { leafOf } from "./material.js";

// Views are built member by member from what may be shown: keyPem is never read here.

/**
 * A certificate's view parses its PEM, which costs about a millisecond: reading 10,000 of them took seconds
 * at every plan. Stored records never change, so each view is made once per record, frozen, and shared by
 * every read until the record is replaced.
 */
function oncePerRecord<K extends object, V>(build: (record: K) => V): (record: K) => V {
  const made = new WeakMap<K, V>();
  return (record) => {
    let view = made.get(record);
    if (view === undefined) made.set(record, (view = freeze(build(record))));
    return view;
  };
}

function freeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freeze(v);
  }
  return value;
}

export const certificateView = oncePerRecord((c: StoredCertificate): CertificateViewBody => {
  const leaf = leafOf(c.chainPem);
  const f = certFields(leaf);
  return {
    name: c.name,
    hosts: [...c.hosts],
    default: c.default,
    chain: c.chainPem,
    fingerprint256: leaf.fingerprint256,
    // The leaf's public key: the stored key was checked to be its pair when written.
    keyFingerprint256: f.keyFingerprint256,
    subject: f.subject,
    issuer: f.issuer,
    notBefore: f.notBefore.toISOString(),
    notAfter: f.notAfter.toISOString(),
    generated: c.generated,
    labels: { ...c.labels },
    updatedRevision: c.updatedRevision,
  };
});

export const trustedView = oncePerRecord((t: StoredTrusted): TrustedViewBody => {
  const cert = leafOf(t.certificatePem);
  const f = certFields(cert);
  return {
    alias: t.alias,
    certificate: t.certificatePem,
    fingerprint256: cert.fingerprint256,
    subject: f.subject,
    issuer: f.issuer,
    notAfter: f.notAfter.toISOString(),
    labels: { ...t.labels },
    updatedRevision: t.updatedRevision,
  };
});

export function endpointView(state: GatewayState, e: StoredEndpoint): EndpointViewBody {
  const aliases = [...state.trust.values()].filter((t) => t.endpoint === e.name && t.scope === undefined).map((t) => t.alias);
  return { name: e.name, url: e.url, path: e.path, trustedAliases: [...new Set(aliases)].sort(), labels: { ...e.labels }, updatedRevision: e.updatedRevision };
}

export function trustView(t: StoredTrust): TrustViewBody {
  return {
    name: t.name,
    alias: t.alias,
    ...(t.endpoint !== undefined ? { endpoint: t.endpoint } : {}),
    ...(t.scope !== undefined ? { scope: t.scope } : {}),
    ...(t.hosts !== undefined ? { hosts: [...t.hosts] } : {}),
    ...(t.required !== undefined ? { required: t.required } : {}),
    labels: { ...t.labels },
    updatedRevision: t.updatedRevision,
  };
}

export function jwkView(j: StoredJwk): JwkViewBody {
  const alg = j.alg ?? (typeof j.jwk.alg === "string" ? j.jwk.alg : undefined);
  return {
    name: j.name,
    kid: j.kid,
    use: j.use,
    ...(alg !== undefined ? { alg } : {}),
    jwk: { ...j.jwk },
    source: j.source ? { ...j.source } : null,
    labels: { ...j.labels },
    updatedRevision: j.updatedRevision,
  };
}

export function lockView(lock: StoredLock): LockViewBody {
  return { holder: lock.holder, purpose: lock.purpose, since: lock.since, expiresAt: lock.expiresAt };
}

export type View = CertificateViewBody | TrustedViewBody | EndpointViewBody | TrustViewBody | JwkViewBody;

/** The view of one object, or undefined when there is none. */
export function viewOf(state: GatewayState, collection: Collection, name: string): View | undefined {
  switch (collection) {
    case "certificates": {
      const c = state.certificates.get(name);
      return c && certificateView(c);
    }
    case "trusted": {
      const t = state.trusted.get(name);
      return t && trustedView(t);
    }
    case "endpoints": {
      const e = state.endpoints.get(name);
      return e && endpointView(state, e);
    }
    case "trust": {
      const t = state.trust.get(name);
      return t && trustView(t);
    }
    case "jwks": {
      const j = state.jwks.get(name);
      return j && jwkView(j);
    }
  }
}

/** Every object of a collection, by name. */
export function listView(state: GatewayState, collection: Collection): View[] {
  return [...state[collection].keys()]
    .sort()
    .map((name) => viewOf(state, collection, name)!);
}

/** `listen`: the node's data plane URL, when the admin API runs beside one. */
export function statusView(state: GatewayState, now: Date, listen?: string): StatusViewBody {
  const certificates = [...state.certificates.keys()]
    .sort()
    .map((name) => {
      const c = state.certificates.get(name)!;
      const view = certificateView(c);
      return { name, hosts: [...c.hosts], fingerprint256: view.fingerprint256, notAfter: view.notAfter, default: c.default };
    });
  const lock = activeLock(state, now);
  return {
    node: state.node,
    environment: state.environment,
    ...(listen !== undefined ? { listen } : {}),
    revision: state.revision,
    certificates,
    trusted: state.trusted.size,
    endpoints: state.endpoints.size,
    jwks: state.jwks.size,
    lock: lock && lockView(lock),
  };
}
