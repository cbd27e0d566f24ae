import { createHash, type X509Certificate } from "node:crypto";
import { COLLECTION_OF, durationDays, LABEL, type AcmeSpec, type ResourceKind } from "../model/index.js";
import type { ObjectSummaryValue, PlannedOperationValue } from "../model/plan.js";
import type { LiveCollection } from "../providers/provider.js";
import { certificateInstances, type AnyInstance, type CertificateInstance, type EnvironmentState } from "../stack/index.js";
import { certFields, certificatesToPem, fingerprintKey, publicJwk } from "../x509/index.js";
import { rememberChain } from "./chain-cache.js";
import { summarizeChain } from "./summaries.js";

/** What one declared instance should be on every node of its environment, in the gateway's terms. */
export interface DesiredObject {
  address: string;
  kind: ResourceKind;
  resource: string;
  environment: string;
  collection: LiveCollection;
  /** The gateway object's name: the resource name, the alias for trusted certificates. */
  objectName: string;
  /** The PUT body, labels included, key material never: see keyRef. */
  body: Record<string, unknown>;
  keyRef?: NonNullable<PlannedOperationValue["keyRef"]>;
  /** Settings as compared with the live object and shown in the plan. */
  settings: Record<string, unknown>;
  summary: ObjectSummaryValue;
  /** For certificates brought by the stack: the chain's fingerprints and the key's. */
  material?: { fingerprints: string[]; keyFingerprint256?: string };
  /** For generated certificates: when to renew (a duration such as `30d`), and whether `certform renew` forces it now. */
  renewBefore?: string;
  renewNow?: boolean;
  /** For certificates signed by an outside CA (generate: { csr }): the pending request and its certificate. */
  csr?: CsrDesired;
  /** For JWKs: the certificate they come from and what happens when it changes or goes. */
  jwk?: { sourceAddress: string; sourceKind: "certificates" | "trustedCertificates"; onChange: "update" | "disconnect"; onDelete: "delete" | "disconnect" };
}

export interface CsrDesired {
  /** The request's name on the gateway: the certificate's name (requests are a namespace of their own). */
  requestName: string;
  /** The request's batch body: the settings the gateway makes the key and CSR from, and its labels. */
  request: { csr: Record<string, unknown>; labels: Record<string, string> };
  /** The signed certificate's public key, once the stack gives the certificate. */
  keyFingerprint256?: string;
  instance: CertificateInstance;
}

const shortHash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

function labelsFor(stack: string, inst: AnyInstance, hashOf: unknown, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.stack]: stack, [LABEL.address]: inst.address, [LABEL.hash]: shortHash(hashOf), ...extra };
  if ("protect" in inst.spec && inst.spec.protect) labels[LABEL.protect] = "true";
  return labels;
}

/** The chain as the gateway will hold it, remembered so that reading it back costs no decoding. */
function renderedChain(chain: readonly X509Certificate[]): string {
  const pem = certificatesToPem([...chain]);
  rememberChain(pem, chain);
  return pem;
}

/**
 * What apply needs to order an ACME certificate, all public: the account key is referenced (keyRef) or,
 * without one in the stack, kept in .certform/acme/ beside the stack (acme-account.ts).
 */
function acmeBody(acme: AcmeSpec, caBundle: readonly X509Certificate[]): Record<string, unknown> {
  const body: Record<string, unknown> = { directory: acme.directory, challenge: acme.challenge };
  if (acme.email !== undefined) body.email = acme.email;
  if (caBundle.length > 0) body.caBundle = certificatesToPem([...caBundle]);
  return body;
}

/** Every declared instance of one environment as the object it should be on the gateway. */
export function desiredObjects(stack: string, env: EnvironmentState, now: Date): DesiredObject[] {
  const out: DesiredObject[] = [];
  const base = (inst: AnyInstance, objectName: string) => ({
    address: inst.address,
    kind: inst.kind,
    resource: inst.name,
    environment: env.name,
    collection: COLLECTION_OF[inst.kind] as LiveCollection,
    objectName,
  });
  const object = (name: string, collection: LiveCollection) => ({ collection, name });

  // The management certificate is one more certificate object to the gateway, which serves it on its admin API.
  for (const c of certificateInstances(env)) {
    const settings = { hosts: c.hosts, default: c.spec.default };
    if (c.spec.generate?.csr) {
      out.push(csrObject(stack, c, base(c, c.name), now));
      continue;
    }
    if (c.spec.generate) {
      const g = c.spec.generate;
      const issuer = g.issuer ? c.material?.chain : undefined;
      const generate: Record<string, unknown> = { hosts: g.hosts, keyType: g.keyType };
      // An ACME CA decides the validity; the directory decides who issues.
      if (!g.acme) generate.validityDays = Math.round(durationDays(g.validity));
      if (g.subject) generate.subject = g.subject;
      if (issuer) generate.issuer = { chain: certificatesToPem(issuer) };
      if (g.acme) generate.acme = acmeBody(g.acme, c.material?.chain ?? []);
      // The hash covers what only a new certificate can change; hosts and default are compared as settings.
      // Of an ACME order that is the directory: a new contact, challenge or CA bundle needs no new certificate.
      const hashOf = { generate: { ...generate, issuer: issuer?.map((x) => x.fingerprint256), acme: g.acme ? { directory: g.acme.directory } : undefined } };
      const labels = labelsFor(stack, c, hashOf);
      const d: DesiredObject = {
        ...base(c, c.name),
        body: { hosts: c.hosts, default: c.spec.default, generate, labels },
        settings: { ...settings, generate: { hosts: g.hosts, keyType: g.keyType, validity: g.validity, renewBefore: g.renewBefore, ...(issuer ? { issuer: issuer[0]!.fingerprint256 } : {}), ...(g.acme ? { acme: g.acme.directory } : {}) } },
        summary: { object: object(c.name, "certificates"), settings: { ...settings, generated: true, keyType: g.keyType, ...(g.acme ? { acme: g.acme.directory, challenge: g.acme.challenge } : { validity: g.validity }) }, labels },
        renewBefore: g.renewBefore,
      };
      if (issuer && c.material?.key) d.keyRef = { address: c.address, field: "generate.issuer.key", keyFingerprint256: fingerprintKey(c.material.key) };
      if (g.acme && c.material?.key) d.keyRef = { address: c.address, field: "generate.acme.key", keyFingerprint256: fingerprintKey(c.material.key) };
      out.push(d);
      continue;
    }
    const chain = c.material?.chain;
    if (!chain || !c.material?.key) continue;
    // A key that belongs to the leaf has the leaf's public key: its fingerprint needs no key export.
    const keyFingerprint256 = chain[0]!.checkPrivateKey(c.material.key) ? certFields(chain[0]!).keyFingerprint256 : fingerprintKey(c.material.key);
    const fingerprints = chain.map((x) => x.fingerprint256);
    const labels = labelsFor(stack, c, { fingerprints, keyFingerprint256 });
    out.push({
      ...base(c, c.name),
      body: { hosts: c.hosts, default: c.spec.default, chain: renderedChain(chain), labels },
      keyRef: { address: c.address, field: "key", keyFingerprint256 },
      settings,
      summary: { object: object(c.name, "certificates"), certificate: summarizeChain(chain, now, false), settings, labels },
      material: { fingerprints, keyFingerprint256 },
    });
  }

  for (const t of env.trustedCertificates) {
    const cert = t.material?.chain[0];
    if (!cert) continue;
    const labels = labelsFor(stack, t, { fingerprint: cert.fingerprint256, alias: t.alias });
    out.push({
      ...base(t, t.alias),
      body: { certificate: renderedChain([cert]), labels },
      settings: { alias: t.alias },
      summary: { object: object(t.alias, "trusted"), certificate: summarizeChain([cert], now), settings: { alias: t.alias }, labels },
      material: { fingerprints: [cert.fingerprint256] },
    });
  }

  for (const e of env.endpoints) {
    const settings = { url: e.spec.url, path: e.path };
    const labels = labelsFor(stack, e, settings);
    out.push({ ...base(e, e.name), body: { ...settings, labels }, settings, summary: { object: object(e.name, "endpoints"), settings, labels } });
  }

  const aliasOf = new Map(env.trustedCertificates.map((t) => [t.name, t.alias]));
  for (const a of env.trustAssignments) {
    const settings: Record<string, unknown> = { alias: aliasOf.get(a.spec.certificate) ?? a.spec.certificate };
    if (a.spec.endpoint !== undefined) settings.endpoint = a.spec.endpoint;
    if (a.spec.scope !== undefined) settings.scope = a.spec.scope;
    if (a.spec.hosts !== undefined) settings.hosts = a.spec.hosts;
    if (a.spec.required !== undefined) settings.required = a.spec.required;
    const labels = labelsFor(stack, a, settings);
    out.push({ ...base(a, a.name), body: { ...settings, labels }, settings, summary: { object: object(a.name, "trust"), settings, labels } });
  }

  const certNames = new Set(env.certificates.map((c) => c.name));
  for (const j of env.jwks) {
    const fromServer = certNames.has(j.spec.certificate);
    const sourceKind = fromServer ? "certificates" : "trustedCertificates";
    const source = fromServer ? { certificate: j.spec.certificate } : { trusted: aliasOf.get(j.spec.certificate) ?? j.spec.certificate };
    const settings: Record<string, unknown> = { source, use: j.spec.use };
    if (j.spec.alg) settings.alg = j.spec.alg;
    if (j.spec.kid) settings.kid = j.spec.kid;
    const labels = labelsFor(stack, j, settings, { [LABEL.onCertificateChange]: j.spec.onCertificateChange, [LABEL.onCertificateDelete]: j.spec.onCertificateDelete });
    // Shown as the gateway will publish it: the kid and alg follow from the certificate's key where it is known now.
    const sourceCert = fromServer ? env.certificates.find((c) => c.name === j.spec.certificate && !c.spec.generate)?.material?.chain[0] : env.trustedCertificates.find((t) => t.name === j.spec.certificate)?.material?.chain[0];
    const published = sourceCert ? publicJwk(sourceCert.publicKey, { use: j.spec.use, ...(j.spec.alg ? { alg: j.spec.alg } : {}), ...(j.spec.kid ? { kid: j.spec.kid } : {}) }) : undefined;
    const shown: Record<string, unknown> = { source, use: j.spec.use, kid: published?.kid ?? j.spec.kid ?? "(known after apply)" };
    if (published?.alg ?? j.spec.alg) shown.alg = published?.alg ?? j.spec.alg;
    out.push({
      ...base(j, j.name),
      body: { ...settings, labels },
      settings,
      summary: { object: object(j.name, "jwks"), settings: shown, labels },
      jwk: { sourceAddress: `${sourceKind}.${j.spec.certificate}[${env.name}]`, sourceKind, onChange: j.spec.onCertificateChange, onDelete: j.spec.onCertificateDelete },
    });
  }
  return out;
}

/**
 * A certificate an outside CA signs: the request the gateways keep its key under, and, once the stack gives
 * the signed certificate, the certificate as a brought one (compared by fingerprints, labelled the same way),
 * whose key the gateway takes from the request (keyFrom) instead of from the stack.
 */
function csrObject(stack: string, c: CertificateInstance, base: Pick<DesiredObject, "address" | "kind" | "resource" | "environment" | "collection" | "objectName">, now: Date): DesiredObject {
  const g = c.spec.generate!;
  const csr = g.csr!;
  const settings = { hosts: c.hosts, default: c.spec.default };
  const request = { hosts: csr.hosts, keyType: csr.keyType, ...(csr.subject !== undefined ? { subject: csr.subject } : {}) };
  const object = { collection: "certificates", name: c.name };
  const desired: CsrDesired = { requestName: c.name, request: { csr: request, labels: labelsFor(stack, c, { csr: request }) }, instance: c };
  const chain = c.material?.chain;
  if (!chain || chain.length === 0) {
    const labels = labelsFor(stack, c, { csr: request });
    return { ...base, body: { ...settings, labels }, settings, summary: { object, settings: { ...settings, csr: request }, labels }, renewBefore: g.renewBefore, csr: desired };
  }
  const keyFingerprint256 = certFields(chain[0]!).keyFingerprint256;
  const fingerprints = chain.map((x) => x.fingerprint256);
  const labels = labelsFor(stack, c, { fingerprints, keyFingerprint256 });
  return {
    ...base,
    body: { ...settings, chain: renderedChain(chain), keyFrom: c.name, labels },
    settings,
    summary: { object, certificate: summarizeChain(chain, now, false), settings: { ...settings, csr: request }, labels },
    material: { fingerprints, keyFingerprint256 },
    renewBefore: g.renewBefore,
    csr: { ...desired, keyFingerprint256 },
  };
}
