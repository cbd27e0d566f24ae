import type { KeyObject, X509Certificate } from "node:crypto";
import type { BundleCertificateValue, BundleCsrValue, BundleKeyStatusValue } from "../model/bundle.js";
import type { CertificateResource } from "../model/index.js";
import { LABEL } from "../model/index.js";
import type { LiveObject } from "../providers/provider.js";
import { certFields, certificatesToPem, decodeCertificates, fingerprintKey, certificateKeyShape } from "../x509/index.js";
import { encryptKeyPem } from "./key-crypt.js";

/** What the stack declares for a certificate the gateway holds: the keys come from here, never from the gateway. */
export interface Declared {
  spec: CertificateResource;
  /** The hosts it is served for, as the stack resolves them. */
  hosts: string[];
  key?: KeyObject;
}

/** Keys the gateways made for an outside CA's signature: no source of certform's can have them. */
export const CSR_KEY: BundleKeyStatusValue = {
  status: "not-exportable",
  reason: "made on the gateways for an outside CA's signature: it never leaves them, not even with --include-private-keys; the target makes its own key and request",
};

/** The settings of a csr: certificate's signing request, as the stack declares them. */
export function csrSettings(declared: Declared | undefined): BundleCsrValue | undefined {
  const g = declared?.spec.generate;
  if (!g?.csr) return undefined;
  return { ...(g.csr.subject !== undefined ? { subject: g.csr.subject } : {}), hosts: g.csr.hosts, keyType: g.csr.keyType, renewBefore: g.renewBefore };
}

export interface KeyOptions {
  /** Set: keys go in, encrypted with it. Unset: keys are left out. */
  passphrase?: string;
  iterations?: number;
}

const DAY = 86_400_000;

/** One certificate object: its manifest entry, and the files it brings (chain, issuer chain, encrypted keys). */
export function collectCertificate(
  o: LiveObject,
  name: string,
  common: { name: string; address: string; objectName: string; owned: boolean; labels: Record<string, string>; protect: boolean },
  declared: Declared | undefined,
  keys: KeyOptions,
): { entry: BundleCertificateValue; files: [string, string][] } {
  const chain = decodeCertificates(String(o.fields.chain ?? ""), { allowPrivateKey: false });
  const leaf = chain[0]!;
  const f = certFields(leaf);
  const files: [string, string][] = [[`certificates/${name}.pem`, certificatesToPem(chain)]];
  const generated = o.fields.generated === true;
  const entry: BundleCertificateValue = {
    kind: "certificates",
    ...common,
    fingerprint256: leaf.fingerprint256,
    chain: chain.map((c) => c.fingerprint256),
    keyFingerprint256: f.keyFingerprint256,
    subject: f.subject,
    issuer: f.issuer,
    notBefore: f.notBefore.toISOString(),
    notAfter: f.notAfter.toISOString(),
    hosts: Array.isArray(o.fields.hosts) ? o.fields.hosts.map(String) : [],
    default: o.fields.default === true,
    generated,
    file: `certificates/${name}.pem`,
    key: { status: "missing" },
  };
  const keyFile = (file: string, key: KeyObject | undefined, expect: X509Certificate, what: string): BundleKeyStatusValue => {
    if (!common.owned) return { status: "missing", reason: `not managed by the stack: certform has no source for its ${what}` };
    if (!key) return { status: "missing", reason: `the stack declares no source for its ${what}` };
    if (fingerprintKey(key) !== certFields(expect).keyFingerprint256) return { status: "missing", reason: `the stack's ${what} does not belong to the certificate on the gateway (apply first)` };
    if (keys.passphrase === undefined) return { status: "missing", reason: "left out: export with --include-private-keys (and CERTFORM_BUNDLE_PASSPHRASE) to include it encrypted" };
    files.push([file, encryptKeyPem(key, keys.passphrase, keys.iterations)]);
    return { status: "included", file };
  };
  const csr = generated ? undefined : csrSettings(declared);
  if (csr) {
    // Installed from an outside CA's answer: it moves as its request's settings, the certificate as public facts.
    entry.csr = csr;
    entry.key = CSR_KEY;
    return { entry, files };
  }
  if (!generated) {
    entry.key = keyFile(`keys/${name}.key`, declared?.key, leaf, "key");
    return { entry, files };
  }
  entry.key = { status: "not-exportable", reason: "generated on the gateways: its key never leaves them" };
  const g = declared?.spec.generate;
  const days = Math.max(1, Math.round((f.notAfter.getTime() - f.notBefore.getTime()) / DAY));
  const hosts = g?.hosts ?? (f.sans ?? []).filter((s) => s.type === "DNS" || s.type === "IP").map((s) => s.value);
  const cn = /(?:^|, )CN=([^,]+)/.exec(f.subject)?.[1];
  entry.generate = {
    hosts,
    keyType: g?.keyType ?? keyTypeOf(leaf),
    validity: g?.validity ?? `${days}d`,
    renewBefore: g?.renewBefore ?? `${Math.max(1, Math.min(30, Math.floor(days / 3)))}d`,
    ...(g ? (g.subject ? { subject: g.subject } : {}) : cn && cn !== hosts[0] ? { subject: cn } : {}),
  };
  if (g?.acme) {
    // The CA's intermediates came with the order: there is no issuer key to look for.
    entry.generate.acme = { directory: g.acme.directory, challenge: g.acme.challenge, ...(g.acme.email !== undefined ? { email: g.acme.email } : {}) };
    return { entry, files };
  }
  if (chain.length > 1) {
    const issuerFile = `certificates/${name}.issuer.pem`;
    files.push([issuerFile, certificatesToPem(chain.slice(1))]);
    entry.generate.issuerFile = issuerFile;
    entry.issuerKey = keyFile(`keys/${name}.issuer.key`, declared?.key, chain[1]!, "issuer key");
  }
  return { entry, files };
}

function keyTypeOf(cert: X509Certificate): string {
  const s = certificateKeyShape(cert);
  if (s.type === "EC") return s.curve === "P-384" ? "ec-p384" : "ec-p256";
  if (s.type === "RSA") return `rsa-${s.bits ?? 2048}`;
  return "ec-p256";
}
