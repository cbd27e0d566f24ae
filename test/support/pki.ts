/**
 * A throwaway PKI for tests: every certificate and key is generated in the test run and written
 * only under os.tmpdir(). Nothing here is ever committed.
 */
import { execFileSync } from "node:child_process";
import type { KeyObject, X509Certificate } from "node:crypto";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generateCertificate, type KeyType, type SignatureHash } from "../../src/x509/generate.js";
import { certificatesToPem, privateKeyToPem, type KeyPemFormat } from "../../src/x509/pem.js";

export interface Issued {
  certificate: X509Certificate;
  key: KeyObject;
  /** The certificate as PEM text. */
  pem: string;
  /** The certificate as DER bytes. */
  der: Buffer;
  /** The key as unencrypted PKCS#8 PEM. */
  keyPem: string;
}

export interface IssueOptions {
  hosts?: string[];
  subject?: string;
  keyType?: KeyType;
  issuer?: Issued;
  notBefore?: Date;
  notAfter?: Date;
  validityDays?: number;
  signatureHash?: SignatureHash;
  noSan?: boolean;
  isCA?: boolean;
}

const DAY = 86_400_000;
export const daysFromNow = (days: number, from = new Date()): Date => new Date(from.getTime() + days * DAY);
export const daysAgo = (days: number, from = new Date()): Date => daysFromNow(-days, from);

export async function issue(opts: IssueOptions = {}): Promise<Issued> {
  const { certificate, key } = await generateCertificate({
    hosts: opts.hosts ?? [],
    keyType: opts.keyType ?? "ec-p256",
    subject: opts.subject,
    issuer: opts.issuer ? { certificate: opts.issuer.certificate, key: opts.issuer.key } : undefined,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    validityDays: opts.validityDays,
    signatureHash: opts.signatureHash,
    noSan: opts.noSan,
    isCA: opts.isCA,
  });
  return { certificate, key, pem: toPem(certificate), der: Buffer.from(certificate.raw), keyPem: keyToPem(key) };
}

/** A self-signed root CA. */
export function makeCa(opts: Omit<IssueOptions, "issuer" | "isCA" | "hosts"> & { issuer?: Issued } = {}): Promise<Issued> {
  return issue({ subject: "CN=certform Test Root CA, O=certform tests", validityDays: 3650, ...opts, isCA: true });
}

/** An intermediate CA issued by `issuer`. */
export function makeIntermediate(issuer: Issued, opts: Omit<IssueOptions, "issuer" | "isCA"> = {}): Promise<Issued> {
  return issue({ subject: "CN=certform Test Intermediate CA, O=certform tests", validityDays: 1825, ...opts, issuer, isCA: true });
}

/** A server certificate; self-signed unless `issuer` is given. Default host: localhost. */
export function leaf(opts: IssueOptions = {}): Promise<Issued> {
  return issue({ hosts: ["localhost"], validityDays: 90, ...opts, isCA: false });
}

export interface Pki {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
  /** leaf, intermediate: what a server should send. */
  chain: X509Certificate[];
  /** leaf + intermediate PEM. */
  chainPem: string;
  /** leaf + intermediate + root PEM. */
  fullChainPem: string;
}

/** Root → intermediate → leaf. Default leaf hosts: localhost, 127.0.0.1. */
export async function makePki(opts: { hosts?: string[]; keyType?: KeyType; leaf?: IssueOptions } = {}): Promise<Pki> {
  const root = await makeCa({ keyType: opts.keyType });
  const intermediate = await makeIntermediate(root, { keyType: opts.keyType });
  const l = await leaf({ hosts: opts.hosts ?? ["localhost", "127.0.0.1"], keyType: opts.keyType, ...opts.leaf, issuer: intermediate });
  const chain = [l.certificate, intermediate.certificate];
  return {
    root,
    intermediate,
    leaf: l,
    chain,
    chainPem: toPem(chain),
    fullChainPem: toPem([...chain, root.certificate]),
  };
}

export function toPem(certs: X509Certificate | X509Certificate[]): string {
  return certificatesToPem(certs);
}

export function toDer(cert: X509Certificate): Buffer {
  return Buffer.from(cert.raw);
}

export function keyToPem(key: KeyObject, opts: { format?: KeyPemFormat; passphrase?: string } = {}): string {
  return privateKeyToPem(key, opts);
}

export function keyToDer(key: KeyObject, opts: { format?: KeyPemFormat; passphrase?: string } = {}): Buffer {
  const type = opts.format ?? "pkcs8";
  if (opts.passphrase !== undefined) {
    return key.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: opts.passphrase }) as Buffer;
  }
  return key.export({ type, format: "der" }) as Buffer;
}

export function tempDir(prefix = "certform-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes files (relative paths, subdirectories created) and returns their absolute paths by name. */
export async function writeFiles<T extends Record<string, string | Buffer>>(dir: string, files: T): Promise<{ [K in keyof T]: string }> {
  const out = {} as { [K in keyof T]: string };
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    out[name as keyof T] = path;
  }
  return out;
}

export interface Pkcs12Options {
  /** The certificate whose key goes in; its certificate comes first. */
  leaf: Issued;
  /** Further certificates (intermediates, root). */
  chain?: X509Certificate[];
  passphrase: string;
  /** pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates, SHA-1 MAC (what old tools write). */
  legacy3des?: boolean;
  friendlyName?: string;
  /** Where to write it; default a new temp dir. */
  path?: string;
}

/** A PKCS#12 file made by `openssl pkcs12 -export`; returns its path. */
export async function exportPkcs12(opts: Pkcs12Options): Promise<string> {
  const dir = await tempDir("certform-p12-");
  const files = await writeFiles(dir, {
    "cert.pem": opts.leaf.pem,
    "key.pem": opts.leaf.keyPem,
    "chain.pem": toPem(opts.chain ?? []),
  });
  const out = opts.path ?? join(dir, "bundle.p12");
  const args = ["pkcs12", "-export", "-in", files["cert.pem"], "-inkey", files["key.pem"], "-out", out, "-passout", "env:CERTFORM_TEST_P12_PASS"];
  if ((opts.chain ?? []).length > 0) args.push("-certfile", files["chain.pem"]);
  if (opts.friendlyName) args.push("-name", opts.friendlyName);
  if (opts.legacy3des) args.push("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1");
  execFileSync("openssl", args, { env: { ...process.env, CERTFORM_TEST_P12_PASS: opts.passphrase }, stdio: ["ignore", "pipe", "pipe"] });
  return out;
}

/** A CSR (PEM) for a fresh key, made by openssl, to feed decoders that must refuse it. */
export async function makeCsrPem(subject = "/CN=csr.example.com"): Promise<string> {
  const dir = await tempDir("certform-csr-");
  const out = join(dir, "req.csr");
  execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "req.key"), "-subj", subject, "-out", out], { stdio: "pipe" });
  const { readFile } = await import("node:fs/promises");
  return readFile(out, "utf8");
}

export interface KeystoreOptions {
  type: "JKS" | "JCEKS";
  passphrase: string;
  /** Private-key entries: each leaf with its key and chain, through a PKCS#12 file that keytool imports. */
  keys?: { alias: string; leaf: Issued; chain?: X509Certificate[]; keyPassphrase?: string }[];
  /** Trusted-certificate entries (keytool -importcert). */
  trusted?: { alias: string; pem: string }[];
  /** A secret-key entry (JCEKS only), which certform cannot read. */
  secretKey?: string;
  path?: string;
}

/** A Java keystore made by keytool (Debian's default-jre-headless), as Java servers such as WSO2 keep them. */
export async function makeKeystore(opts: KeystoreOptions): Promise<string> {
  const dir = await tempDir("certform-keystore-");
  const out = opts.path ?? join(dir, `store.${opts.type.toLowerCase()}`);
  const env = { ...process.env, CERTFORM_TEST_STORE_PASS: opts.passphrase, CERTFORM_TEST_P12_PASS: "p12-transfer" };
  const keytool = (args: string[], extraEnv: Record<string, string> = {}) =>
    execFileSync("keytool", [...args, "-noprompt"], { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  const store = ["-keystore", out, "-storetype", opts.type, "-storepass:env", "CERTFORM_TEST_STORE_PASS"];
  for (const k of opts.keys ?? []) {
    const p12 = await exportPkcs12({ leaf: k.leaf, chain: k.chain ?? [], passphrase: "p12-transfer", friendlyName: k.alias });
    keytool(
      ["-importkeystore", "-srckeystore", p12, "-srcstoretype", "PKCS12", "-srcstorepass:env", "CERTFORM_TEST_P12_PASS", "-srcalias", k.alias, "-destalias", k.alias,
        "-destkeystore", out, "-deststoretype", opts.type, "-deststorepass:env", "CERTFORM_TEST_STORE_PASS", "-destkeypass:env", "CERTFORM_TEST_KEY_PASS"],
      { CERTFORM_TEST_KEY_PASS: k.keyPassphrase ?? opts.passphrase },
    );
  }
  for (const t of opts.trusted ?? []) {
    const file = join(dir, `${t.alias}.pem`);
    await writeFile(file, t.pem);
    keytool(["-importcert", "-alias", t.alias, "-file", file, ...store]);
  }
  if (opts.secretKey) keytool(["-genseckey", "-alias", opts.secretKey, "-keyalg", "AES", "-keysize", "128", ...store]);
  return out;
}
