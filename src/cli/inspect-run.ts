import type { KeyObject, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ChainEntry, InspectError, InspectSuccess, KeyInfoReport, KeystoreEntryReport } from "../model/inspect-report.js";
import { quoteValue } from "../model/redact.js";
import { renderInspectText } from "../render/inspect-text.js";
import {
  MaterialError,
  captureChain,
  decodeCertificates,
  decodeKeystore,
  decodePkcs12,
  decodePrivateKey,
  describeCertificate,
  describeChain,
  describeKey,
  keystoreType,
  matchesKey,
  sniffDer,
  type CertificateInfo,
} from "../x509/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson } from "./options.js";

export interface InspectOptions {
  format: "text" | "json";
  color: boolean;
  passphraseEnv?: string;
  servername?: string;
}

export async function runInspect(target: string, opts: InspectOptions): Promise<ExitCode> {
  try {
    const report = await inspectTarget(target, opts, new Date());
    if (opts.format === "json") writeJson(report);
    else process.stdout.write(renderInspectText(report, colorsFor(opts)));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof MaterialError)) throw err;
    process.stderr.write(`Error: ${err.message}\n  hint: ${err.hint}\n`);
    if (opts.format === "json") writeJson({ error: { code: err.code, message: err.message, hint: err.hint } } satisfies InspectError);
    return EXIT.error;
  }
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export async function inspectTarget(target: string, opts: Pick<InspectOptions, "passphraseEnv" | "servername">, now: Date): Promise<InspectSuccess> {
  const passphrase = readPassphrase(opts.passphraseEnv);
  if (URL_LIKE.test(target)) {
    const chain = await captureChain(target, opts.servername ? { servername: opts.servername } : {});
    return { format_version: "1", kind: "url", source: target, ...certificatesPart(chain, now) };
  }
  const data = await readTarget(target);
  if (keystoreType(data)) return inspectKeystore(data, target, passphrase, now);

  if (sniffDer(data) === "pkcs12") {
    const p12 = openPkcs12(data, passphrase);
    if (p12.chain.length === 0 && p12.key) return { format_version: "1", kind: "key", source: target, key: describeKey(p12.key) };
    if (p12.chain.length === 0) {
      throw new MaterialError("pkcs12-empty", "the PKCS#12 bundle holds no certificate", "export the bundle with its certificate (openssl pkcs12 -export -in CERT -inkey KEY)");
    }
    return { format_version: "1", kind: "pkcs12", source: target, ...certificatesPart(p12.chain, now, p12.key), friendlyNames: p12.friendlyNames };
  }

  let certs: X509Certificate[];
  try {
    // A combined certificate + key file is inspected whole: the key is described, never shown.
    certs = decodeCertificates(data, { allowPrivateKey: true });
  } catch (err) {
    if (err instanceof MaterialError && err.code === "key-not-certificate") {
      return { format_version: "1", kind: "key", source: target, key: describeKey(decodePrivateKey(data, passphrase)) };
    }
    throw err;
  }
  return { format_version: "1", kind: "certificate", source: target, ...certificatesPart(certs, now, keyNextTo(data, passphrase)) };
}

/** A keystore's entries, described by their certificates; keys stay closed. Without a passphrase, unchecked. */
function inspectKeystore(data: Buffer, target: string, passphrase: string | undefined, now: Date): InspectSuccess {
  const ks = decodeKeystore(data, target === STDIN_TARGET ? "(standard input)" : target, passphrase, { unverified: true });
  if (passphrase === undefined) process.stderr.write("warning: no --passphrase-env given: the keystore's integrity was not checked\n");
  const entries = ks.entries.map((e): KeystoreEntryReport => ({ alias: e.alias, type: e.type, created: e.created.toISOString(), chainLength: e.chain.length, ...describeCertificate(e.chain[0]!, now) }));
  return { format_version: "1", kind: "keystore", source: target, keystoreType: ks.type, integrityChecked: passphrase !== undefined, entries };
}

function readPassphrase(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (value === undefined) {
    throw new MaterialError("passphrase-env-unset", `--passphrase-env names ${quoteValue(variable)}, which is not set`, "set that variable to the passphrase before running inspect");
  }
  return value;
}

/** `-` is standard input, as with openssl and most Unix tools: `kubectl get secret … | certform inspect -`. */
export const STDIN_TARGET = "-";

async function readTarget(path: string): Promise<Buffer> {
  if (path === STDIN_TARGET) return readStdin();
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const shown = quoteValue(path, 200);
    if (code === "ENOENT") throw new MaterialError("file-not-found", `${shown} does not exist`, "check the path, or write a URL as https://host:port");
    if (code === "EISDIR") throw new MaterialError("file-unreadable", `${shown} is a directory`, "inspect one certificate, key or PKCS#12 file");
    throw new MaterialError("file-unreadable", `cannot read ${shown} (${code ?? "no error code"})`, "check the file's permissions");
  }
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) {
    throw new MaterialError("stdin-terminal", "inspect - reads standard input, which is a terminal here", "pipe the file in (certform inspect - < cert.pem) or give its path");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  if (data.length === 0) throw new MaterialError("stdin-empty", "standard input is empty", "pipe a certificate, key or PKCS#12 file into certform inspect -");
  return data;
}

function openPkcs12(data: Buffer, passphrase: string | undefined): ReturnType<typeof decodePkcs12> {
  if (passphrase !== undefined) return decodePkcs12(data, passphrase);
  try {
    // Bundles exported with an empty passphrase open without one.
    return decodePkcs12(data, "");
  } catch (err) {
    if (err instanceof MaterialError && err.code === "pkcs12-passphrase") {
      throw new MaterialError(
        "pkcs12-passphrase-required",
        "this PKCS#12 bundle is protected by a passphrase and none was given",
        "put the passphrase in an environment variable and pass --passphrase-env VAR",
      );
    }
    throw err;
  }
}

/** A key in the same file as the certificates (combined PEM), when it can be read. */
function keyNextTo(data: Buffer, passphrase: string | undefined): KeyObject | undefined {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(data.toString("latin1"))) return undefined;
  try {
    return decodePrivateKey(data, passphrase);
  } catch (err) {
    if (err instanceof MaterialError) process.stderr.write(`note: the file also holds a private key that cannot be read: ${err.message}\n`);
    return undefined;
  }
}

function certificatesPart(chain: X509Certificate[], now: Date, key?: KeyObject): CertificateInfo & { chain: ChainEntry[]; key?: KeyInfoReport & { matchesLeaf: boolean } } {
  const described = describeChain(chain, now);
  const entries: ChainEntry[] = described.certificates.map((info, position) => {
    const link = described.links.find((l) => l.from === position);
    const entry: ChainEntry = { ...info, position };
    if (link) entry.link = link.reason ? { issuer: link.to, verifies: link.verifies, reason: link.reason } : { issuer: link.to, verifies: link.verifies };
    return entry;
  });
  const part: CertificateInfo & { chain: ChainEntry[]; key?: KeyInfoReport & { matchesLeaf: boolean } } = { ...described.certificates[0]!, chain: entries };
  if (key) part.key = { ...describeKey(key), matchesLeaf: matchesKey(chain[0]!, key) };
  return part;
}
