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
import { getOwn } from "./records.js";

// Views are built member by member from what may be shown: keyPem is never read here.

// Stored records are frozen and replaced, never changed, so a record's view is made once: a node with
// 10,000 certificates would otherwise parse every chain again for every read of the collection.
const certificateViews = new WeakMap<StoredCertificate, CertificateViewBody>();
const trustedViews = new WeakMap<StoredTrusted, TrustedViewBody>();

export function certificateView(c: StoredCertificate): CertificateViewBody {
  let view = certificateViews.get(c);
  if (!view) certificateViews.set(c, (view = frozen(makeCertificateView(c))));
  return view;
}

// Shared between reads, so nobody may change one.
function frozen<T extends { labels: Record<string, string>; hosts?: string[] }>(view: T): T {
  Object.freeze(view.labels);
  if (view.hosts) Object.freeze(view.hosts);
  return Object.freeze(view);
}

function makeCertificateView(c: StoredCertificate): CertificateViewBody {
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
}

export function trustedView(t: StoredTrusted): TrustedViewBody {
  let view = trustedViews.get(t);
  if (!view) trustedViews.set(t, (view = frozen(makeTrustedView(t))));
  return view;
}

function makeTrustedView(t: StoredTrusted): TrustedViewBody {
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
}

export function endpointView(state: GatewayState, e: StoredEndpoint): EndpointViewBody {
  const aliases = Object.values(state.trust).filter((t) => t.endpoint === e.name && t.scope === undefined).map((t) => t.alias);
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
      const c = getOwn(state.certificates, name);
      return c && certificateView(c);
    }
    case "trusted": {
      const t = getOwn(state.trusted, name);
      return t && trustedView(t);
    }
    case "endpoints": {
      const e = getOwn(state.endpoints, name);
      return e && endpointView(state, e);
    }
    case "trust": {
      const t = getOwn(state.trust, name);
      return t && trustView(t);
    }
    case "jwks": {
      const j = getOwn(state.jwks, name);
      return j && jwkView(j);
    }
  }
}

/** Every object of a collection, by name. */
export function listView(state: GatewayState, collection: Collection): View[] {
  return Object.keys(state[collection])
    .sort()
    .map((name) => viewOf(state, collection, name)!);
}

/** `listen`: the node's data plane URL, when the admin API runs beside one. */
export function statusView(state: GatewayState, now: Date, listen?: string): StatusViewBody {
  const certificates = Object.keys(state.certificates)
    .sort()
    .map((name) => {
      const view = certificateView(state.certificates[name]!);
      return { name, hosts: [...view.hosts], fingerprint256: view.fingerprint256, notAfter: view.notAfter, default: view.default };
    });
  const lock = activeLock(state, now);
  return {
    node: state.node,
    environment: state.environment,
    ...(listen !== undefined ? { listen } : {}),
    revision: state.revision,
    certificates,
    trusted: Object.keys(state.trusted).length,
    endpoints: Object.keys(state.endpoints).length,
    jwks: Object.keys(state.jwks).length,
    lock: lock && lockView(lock),
  };
}
