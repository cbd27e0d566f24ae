import type { KeyObject, X509Certificate } from "node:crypto";
import type { CertificatePutBody } from "../api/admin-api.js";
import type { StoredCertificate } from "../state.js";
import {
  certificatesToPem,
  checkServerCertificate,
  checkTrustedCertificate,
  decodeCertificates,
  decodePrivateKey,
  dnsSans,
  generateServerCertificate,
  hostCovered,
  hostProblem,
  ipSans,
  matchesKey,
} from "../../x509/index.js";
import { quoteValue } from "../../model/redact.js";
import { fail, isFailure, type Failure } from "./failure.js";
import { decodeAt, findingField, firstError } from "./material.js";

/** A certificate ready to store: everything but its name and revision. */
export type PreparedCertificate = Omit<StoredCertificate, "name" | "updatedRevision">;

/**
 * A PUT without chain, key or generate: the stored certificate keeps its material (a generated key never
 * leaves the node, so it cannot be sent again) and takes the new hosts, default flag and labels.
 */
export interface KeptCertificate {
  keep: true;
  hosts: string[];
  default: boolean;
  labels: Record<string, string>;
}

/** A chain signed for a pending request: its key is taken from the request when the write is committed. */
export interface PairedCertificate {
  keyFrom: string;
  chain: X509Certificate[];
  hosts: string[];
  default: boolean;
  labels: Record<string, string>;
  now: Date;
}

const sansOf = (leaf: X509Certificate): string[] => [...dnsSans(leaf).map((d) => `DNS:${d}`), ...ipSans(leaf).map((i) => `IP:${i}`)];

/**
 * Decodes and checks a certificate PUT with the checks of `certform validate`, or generates one.
 * Needs no state, so it runs (generation included) before the commit queue.
 */
export async function prepareCertificate(body: CertificatePutBody, now: Date): Promise<PreparedCertificate | KeptCertificate | PairedCertificate | Failure> {
  if (body.keyFrom !== undefined) {
    if (body.chain === undefined || body.key !== undefined || body.generate !== undefined || body.generated !== undefined) {
      return fail(422, "certificate-source", "keyFrom takes the key of a pending request: send it with chain alone", { field: "keyFrom", hint: "send chain (the certificate signed for the request) and keyFrom, without key or generate" });
    }
    const pem = body.chain;
    const chain = decodeAt("chain", () => decodeCertificates(pem));
    if (isFailure(chain)) return chain;
    return { keyFrom: body.keyFrom, chain, hosts: body.hosts, default: body.default, labels: body.labels, now };
  }
  const brought = body.chain !== undefined || body.key !== undefined;
  if (body.generated !== undefined && (body.chain === undefined || body.key === undefined)) {
    return fail(422, "certificate-source", "generated: marks a chain and key as generated; send it with both", { field: "generated", hint: "send chain and key with generated: true, or generate: { hosts: [...] } to have this node make one" });
  }
  if (body.generate && brought) {
    return fail(422, "certificate-source", "give either chain and key, or generate, not both", { field: "generate", hint: "remove generate to store your own certificate, or chain and key to have the gateway make one" });
  }
  // The hosts' syntax, for every kind of body: the certificate checks leave it to the caller.
  for (const [i, host] of body.hosts.entries()) {
    const problem = hostProblem(host);
    if (problem) return fail(422, "host-invalid", `hosts[${i}]: host ${quoteValue(host)} is not valid: ${problem}`, { field: `hosts[${i}]` });
  }
  if (!body.generate && !brought) return { keep: true, hosts: body.hosts, default: body.default, labels: body.labels };
  if (body.generate) return generated(body, body.generate, now);
  if (body.chain === undefined) return fail(422, "chain-missing", "a key was given without its certificate chain", { field: "chain", hint: "send chain: the PEM of the leaf, then its intermediates" });
  if (body.key === undefined) return fail(422, "key-missing", "a chain was given without its private key", { field: "key", hint: "send key: the PEM private key of the leaf" });

  const pem = body.chain;
  const chain = decodeAt("chain", () => decodeCertificates(pem));
  if (isFailure(chain)) return chain;
  const keyPem = body.key;
  const key = decodeAt("key", () => decodePrivateKey(keyPem));
  if (isFailure(key)) return key;
  const problem = serverProblem(chain, key, body.hosts, now);
  if (problem) return problem;
  const leaf = chain[0]!;
  return {
    hosts: body.hosts.length > 0 ? body.hosts : [...dnsSans(leaf), ...ipSans(leaf)],
    default: body.default,
    chainPem: certificatesToPem(chain),
    keyPem: pkcs8(key),
    // Generated for the environment (by certform, or copied from another node): served and shown as generated.
    generated: body.generated === true,
    labels: body.labels,
  };
}

/**
 * The first error of checkServerCertificate, with its field in the API's terms: the chain is
 * `chain`, and a host not covered is pointed at by its index (the finding points at `hosts:`).
 */
function serverProblem(chain: X509Certificate[], key: KeyObject, hosts: string[], now: Date): Failure | undefined {
  const findings = checkServerCertificate({ chain, key, ...(hosts.length > 0 ? { hosts } : {}), now, warnBeforeDays: 0 });
  return firstError(findings, (f) => {
    if (f.code === "host-not-covered") {
      // chain-order and key-mismatch come first, so here the leaf is chain[0].
      const i = hosts.findIndex((h) => !hostProblem(h) && !hostCovered(h, sansOf(chain[0]!)));
      return `hosts[${Math.max(i, 0)}]`;
    }
    return findingField(f, { certificate: "chain" });
  });
}

/** The certificate a paired chain becomes with the pending request's key, checked as a brought one is. */
export function pairedCertificate(p: PairedCertificate, keyPem: string): PreparedCertificate | Failure {
  const key = decodePrivateKey(keyPem);
  if (!matchesKey(p.chain[0]!, key)) {
    return fail(422, "csr-certificate-mismatch", `chain: the certificate was not signed for the key of request ${quoteValue(p.keyFrom)}`, { field: "chain", hint: "send the certificate the CA issued for this request's CSR" });
  }
  const problem = serverProblem(p.chain, key, p.hosts, p.now);
  if (problem) return problem;
  const leaf = p.chain[0]!;
  return { hosts: p.hosts.length > 0 ? p.hosts : [...dnsSans(leaf), ...ipSans(leaf)], default: p.default, chainPem: certificatesToPem(p.chain), keyPem, generated: false, labels: p.labels };
}

type GenerateBody = NonNullable<CertificatePutBody["generate"]>;

async function generated(body: CertificatePutBody, gen: GenerateBody, now: Date): Promise<PreparedCertificate | Failure> {
  for (const [i, host] of gen.hosts.entries()) {
    const problem = hostProblem(host);
    if (problem) return fail(422, "host-invalid", `generate.hosts[${i}]: host ${quoteValue(host)} is not valid: ${problem}`, { field: `generate.hosts[${i}]`, hint: "write a DNS name such as api.example.com, a wildcard such as *.example.com, or an IP address" });
  }
  const issuer = gen.issuer ? issuerOf(gen.issuer, now) : undefined;
  if (isFailure(issuer)) return issuer;
  const made = await generateServerCertificate({ hosts: gen.hosts, keyType: gen.keyType, validityDays: gen.validityDays, ...(gen.subject !== undefined ? { subject: gen.subject } : {}), ...(issuer ? { issuer } : {}) });
  const chain = made.chain;
  const hosts = body.hosts.length > 0 ? body.hosts : gen.hosts;
  // Catches hosts (top level) that the generated SANs do not cover.
  const problem = serverProblem(chain, made.key, body.hosts, now);
  if (problem) return problem;
  return { hosts, default: body.default, chainPem: certificatesToPem(chain), keyPem: pkcs8(made.key), generated: true, labels: body.labels };
}

function issuerOf(given: { chain: string; key: string }, now: Date): { chain: X509Certificate[]; key: KeyObject } | Failure {
  const chain = decodeAt("generate.issuer.chain", () => decodeCertificates(given.chain));
  if (isFailure(chain)) return chain;
  const key = decodeAt("generate.issuer.key", () => decodePrivateKey(given.key));
  if (isFailure(key)) return key;
  const ca = chain[0]!;
  if (!matchesKey(ca, key)) {
    return fail(422, "key-mismatch", "generate.issuer.key: the key does not belong to the first certificate of generate.issuer.chain", { field: "generate.issuer.key", hint: "give the CA certificate first and its own key" });
  }
  if (!ca.ca) {
    return fail(422, "issuer-not-ca", "generate.issuer.chain: the first certificate is not a CA (basicConstraints CA:FALSE), so clients would refuse what it issues", { field: "generate.issuer.chain", hint: "issue from a CA certificate" });
  }
  const problem = firstError(checkTrustedCertificate({ certificates: chain, now, warnBeforeDays: 0 }), () => "generate.issuer.chain");
  return problem ?? { chain, key };
}

const pkcs8 = (key: KeyObject): string => key.export({ type: "pkcs8", format: "pem" }) as string;
