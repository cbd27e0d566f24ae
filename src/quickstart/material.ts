import type { KeyObject, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { certificatesToPem, decodeCertificates, decodePrivateKey, generateCertificate, issuedBy, isSelfSigned, matchesKey, privateKeyToPem } from "../x509/index.js";
import { LOOPBACK } from "./layout.js";

/** The files stacks/quickstart.yaml reads, relative to the material directory. */
export const FILES = {
  caCert: "ca.pem",
  caKey: "ca.key",
  apiCert: "api.pem",
  apiKey: "api.key",
  backendCert: "backend.pem",
  backendKey: "backend.key",
} as const;

export const CA_SUBJECT = "CN=certform quickstart local CA, O=certform quickstart";
const API_HOSTS = ["api.quickstart.test", "api.dev.quickstart.test"];
const BACKEND_HOSTS = [LOOPBACK, "localhost"];
const DAY = 86_400_000;
/** Reissue what expires within this window, so that validate's `expiring` warning (30d) never shows. */
const RENEW_WITHIN_DAYS = 45;

export interface Material {
  caPem: string;
  backend: { certPem: string; keyPem: string };
  /** What was made this time, one line per pair of files; empty when everything was reused. */
  created: string[];
}

interface Pair {
  chain: X509Certificate[];
  key: KeyObject;
}

/**
 * Makes the quickstart's key material once and reuses it afterwards, so that a second `npm start` plans no
 * changes: a local CA, a server certificate it issued for the api hosts, a self-signed backend certificate.
 * Keys are written 0600 in a 0700 directory. A file that is missing, damaged, mismatched or about to expire
 * is made again (and what depends on it).
 */
export async function ensureMaterial(dir: string): Promise<Material> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];

  let ca = load(dir, FILES.caCert, FILES.caKey);
  if (!ca || !fresh(ca.chain[0]!) || !isSelfSigned(ca.chain[0]!) || !ca.chain[0]!.ca) {
    const g = await generateCertificate({ hosts: [], keyType: "ec-p256", subject: CA_SUBJECT, isCA: true, validityDays: 3650 });
    ca = { chain: [g.certificate], key: g.key };
    save(dir, FILES.caCert, FILES.caKey, ca);
    created.push(`${FILES.caCert}, ${FILES.caKey}: a local CA`);
  }
  const caCert = ca.chain[0]!;

  const api = load(dir, FILES.apiCert, FILES.apiKey);
  const apiLeaf = api?.chain[0];
  if (!api || !apiLeaf || !fresh(apiLeaf) || !issuedBy(apiLeaf, caCert) || !API_HOSTS.every((h) => apiLeaf.checkHost(h) !== undefined)) {
    const g = await generateCertificate({ hosts: API_HOSTS, keyType: "ec-p256", issuer: { certificate: caCert, key: ca.key }, validityDays: 365 });
    // Leaf, then the CA: the chain reaches its root, so clients that trust the CA verify it.
    save(dir, FILES.apiCert, FILES.apiKey, { chain: [g.certificate, caCert], key: g.key });
    created.push(`${FILES.apiCert}, ${FILES.apiKey}: a server certificate for ${API_HOSTS.join(" and ")}, issued by the local CA`);
  }

  let backend = load(dir, FILES.backendCert, FILES.backendKey);
  if (!backend || !fresh(backend.chain[0]!) || !isSelfSigned(backend.chain[0]!) || backend.chain[0]!.checkIP(LOOPBACK) === undefined) {
    const g = await generateCertificate({ hosts: BACKEND_HOSTS, keyType: "ec-p256", subject: "CN=orders backend, O=certform quickstart", validityDays: 365 });
    backend = { chain: [g.certificate], key: g.key };
    save(dir, FILES.backendCert, FILES.backendKey, backend);
    created.push(`${FILES.backendCert}, ${FILES.backendKey}: the orders backend's self-signed certificate`);
  }

  return {
    caPem: certificatesToPem(caCert),
    backend: { certPem: certificatesToPem(backend.chain), keyPem: privateKeyToPem(backend.key) },
    created,
  };
}

/** The pair, or undefined when either file is missing, unreadable or the key does not belong to the leaf. */
function load(dir: string, certFile: string, keyFile: string): Pair | undefined {
  const certPath = join(dir, certFile);
  const keyPath = join(dir, keyFile);
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const chain = decodeCertificates(readFileSync(certPath));
    const key = decodePrivateKey(readFileSync(keyPath));
    if (chain.length === 0 || !matchesKey(chain[0]!, key)) return undefined;
    return { chain, key };
  } catch {
    return undefined;
  }
}

function fresh(cert: X509Certificate): boolean {
  const now = Date.now();
  return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) > now + RENEW_WITHIN_DAYS * DAY;
}

function save(dir: string, certFile: string, keyFile: string, pair: Pair): void {
  // The key first, so that a certificate is never next to a key that does not match it for long.
  writeAtomically(join(dir, keyFile), privateKeyToPem(pair.key), 0o600);
  writeAtomically(join(dir, certFile), certificatesToPem(pair.chain), 0o644);
}

function writeAtomically(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
