/**
 * Makes the public certificates that examples/multi-env trusts: CA certificates, self-signed backend
 * certificates and JWK signing certificates, valid until the end of 2049.
 *
 *   npx tsx scripts/make-example-certs.ts
 *
 * Only certificates are written. Every private key is generated in memory and dropped: the example
 * commits no key, and nothing can ever be issued from these CAs. Re-running replaces the files
 * (and the inline idp-ca certificate in examples/multi-env/trust.yaml) with new certificates.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCertificate, type KeyType } from "../src/x509/generate.js";

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "examples", "multi-env");
const CERTS_DIR = join(EXAMPLE_DIR, "certs");
// The last instant UTCTime can hold: 20+ years from now, and still readable by every X.509 parser.
const NOT_AFTER = new Date("2049-12-31T23:59:59Z");

interface Spec {
  /** File under certs/; absent: written inline into trust.yaml instead. */
  file?: string;
  subject: string;
  keyType: KeyType;
  hosts: string[];
  isCA: boolean;
}

const ENVIRONMENTS = ["dev", "test", "prod"] as const;

const SPECS: Record<string, Spec> = {
  "corp-root-ca": { file: "corp-root-ca.pem", subject: "CN=Example Payments Root CA, O=Example Payments, C=US", keyType: "rsa-3072", hosts: [], isCA: true },
  "ledger-ca": { file: "ledger-ca.pem", subject: "CN=Ledger Service CA, OU=Ledger, O=Example Payments, C=US", keyType: "ec-p384", hosts: [], isCA: true },
  "partner-ca": { file: "partner-ca.pem", subject: "CN=Partner Client CA, OU=Partner Integrations, O=Example Payments, C=US", keyType: "rsa-3072", hosts: [], isCA: true },
  "partner-sandbox-ca": { file: "partner-sandbox-ca.pem", subject: "CN=Partner Sandbox Client CA, OU=Partner Integrations, O=Example Payments, C=US", keyType: "ec-p256", hosts: [], isCA: true },
  "auth-signing": { file: "auth-signing.pem", subject: "CN=payments-auth token signing, O=Example Payments, C=US", keyType: "rsa-2048", hosts: ["auth.payments.example.com"], isCA: false },
  "webhook-signing": { file: "webhook-signing.pem", subject: "CN=payments webhook signing, O=Example Payments, C=US", keyType: "ec-p256", hosts: ["webhooks.payments.example.com"], isCA: false },
  "idp-ca": { subject: "CN=Example Identity Provider CA, O=Example Payments, C=US", keyType: "ec-p256", hosts: [], isCA: true },
  ...Object.fromEntries(
    ENVIRONMENTS.map((env) => [
      `fraud-scoring-${env}`,
      {
        file: `fraud-scoring-${env}.pem`,
        subject: `CN=fraud-scoring.${env}.payments.internal, OU=Risk, O=Example Payments, C=US`,
        keyType: "ec-p256",
        hosts: [`fraud-scoring.${env}.payments.internal`],
        isCA: false,
      } satisfies Spec,
    ]),
  ),
};

async function makePem(spec: Spec): Promise<string> {
  // The key stays in this function's scope and is never exported or written.
  const { certificate } = await generateCertificate({ hosts: spec.hosts, keyType: spec.keyType, subject: spec.subject, isCA: spec.isCA, notAfter: NOT_AFTER });
  return certificate.toString();
}

/** Replaces the base64 block of `idp-ca` in trust.yaml: the lines after `base64: |` under `idp-ca:`. */
function rewriteInlineCertificate(file: string, name: string, pem: string): void {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^\\s*${name}:(\\s|$)`).test(l));
  const at = start < 0 ? -1 : lines.findIndex((l, i) => i > start && /^\s*base64: \|\s*$/.test(l));
  if (at < 0) throw new Error(`${relative(process.cwd(), file)}: found no "base64: |" under ${name}:`);
  const indent = " ".repeat(lines[at]!.search(/\S/) + 2);
  let end = at + 1;
  while (end < lines.length && /^\s+[A-Za-z0-9+/=]+\s*$/.test(lines[end]!)) end++;
  const b64 = Buffer.from(pem, "utf8").toString("base64").match(/.{1,76}/g)!.map((l) => indent + l);
  lines.splice(at + 1, end - at - 1, ...b64);
  writeFileSync(file, lines.join("\n"));
}

mkdirSync(CERTS_DIR, { recursive: true });
for (const [name, spec] of Object.entries(SPECS)) {
  const pem = await makePem(spec);
  if (spec.file) {
    const out = join(CERTS_DIR, spec.file);
    writeFileSync(out, pem);
    process.stdout.write(`wrote ${relative(process.cwd(), out)}\n`);
  } else {
    const trust = join(EXAMPLE_DIR, "trust.yaml");
    rewriteInlineCertificate(trust, name, pem);
    process.stdout.write(`wrote ${relative(process.cwd(), trust)} (${name}, inline BASE64PEM)\n`);
  }
}
