import { Option, type Command } from "commander";
import type { KeyObject, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ChainEntry, InspectError, InspectSuccess, KeyInfoReport } from "../model/inspect-report.js";
import type { Palette } from "../render/palette.js";
import {
  MaterialError,
  captureChain,
  decodeCertificates,
  decodePkcs12,
  decodePrivateKey,
  describeCertificate,
  describeChain,
  describeKey,
  matchesKey,
  sniffDer,
  type CertificateInfo,
} from "../x509/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson } from "./options.js";

interface InspectOptions {
  format: "text" | "json";
  color: boolean;
  passphraseEnv?: string;
  servername?: string;
}

export function registerInspect(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("inspect")
    .description("details of a certificate, chain, key or PKCS#12 file, or of what a TLS server presents")
    .argument("<target>", "a PEM/DER certificate or chain, a key, a .p12/.pfx file, or an https:// or ldaps:// URL")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--passphrase-env <var>", "environment variable holding the PKCS#12 or key passphrase (never pass it as an argument)")
    .option("--servername <name>", "SNI to send when inspecting a URL (default: the URL's host)")
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .action(async (target: string, opts: InspectOptions) => {
      try {
        const report = await inspectTarget(target, opts, new Date());
        if (opts.format === "json") writeJson(report);
        else process.stdout.write(renderText(report, colorsFor(opts)));
        setExit(EXIT.ok);
      } catch (err) {
        if (!(err instanceof MaterialError)) throw err;
        process.stderr.write(`Error: ${err.message}\n  hint: ${err.hint}\n`);
        if (opts.format === "json") writeJson({ error: { code: err.code, message: err.message, hint: err.hint } } satisfies InspectError);
        setExit(EXIT.error);
      }
    });
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export async function inspectTarget(target: string, opts: Pick<InspectOptions, "passphraseEnv" | "servername">, now: Date): Promise<InspectSuccess> {
  const passphrase = readPassphrase(opts.passphraseEnv);
  if (URL_LIKE.test(target)) {
    const chain = await captureChain(target, opts.servername ? { servername: opts.servername } : {});
    return { format_version: "1", kind: "url", source: target, ...certificatesPart(chain, now) };
  }
  const data = await readTarget(target);

  if (sniffDer(data) === "pkcs12") {
    const p12 = openPkcs12(data, passphrase);
    if (p12.chain.length === 0) {
      throw new MaterialError("pkcs12-empty", "the PKCS#12 bundle holds no certificate", "export the bundle with its certificate (openssl pkcs12 -export -in CERT -inkey KEY)");
    }
    return { format_version: "1", kind: "pkcs12", source: target, ...certificatesPart(p12.chain, now, p12.key), friendlyNames: p12.friendlyNames };
  }

  let certs: X509Certificate[];
  try {
    certs = decodeCertificates(data);
  } catch (err) {
    if (err instanceof MaterialError && err.code === "key-not-certificate") {
      return { format_version: "1", kind: "key", source: target, key: describeKey(decodePrivateKey(data, passphrase)) };
    }
    throw err;
  }
  return { format_version: "1", kind: "certificate", source: target, ...certificatesPart(certs, now, keyNextTo(data, passphrase)) };
}

function readPassphrase(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (value === undefined) {
    throw new MaterialError("passphrase-env-unset", `--passphrase-env names ${variable}, which is not set`, `set ${variable} to the passphrase before running inspect`);
  }
  return value;
}

async function readTarget(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new MaterialError("file-not-found", `${path} does not exist`, "check the path, or write a URL as https://host:port");
    if (code === "EISDIR") throw new MaterialError("file-unreadable", `${path} is a directory`, "inspect one certificate, key or PKCS#12 file");
    throw new MaterialError("file-unreadable", `cannot read ${path}: ${(err as Error).message}`, "check the file's permissions");
  }
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

// ---- text rendering ----

function validity(info: CertificateInfo): string {
  const left = info.daysLeft;
  const span = `${info.notBefore} → ${info.notAfter}`;
  if (info.status === "Expired") return `${span} (expired on ${info.notAfter.slice(0, 10)})`;
  if (info.status === "NotYetValid") return `${span} (not valid yet)`;
  return `${span} (${left} day${left === 1 ? "" : "s"} left)`;
}

function keyLine(k: KeyInfoReport): string {
  const size = k.curve ? `${k.curve}` : k.bits ? `${k.bits} bits` : "";
  return `${k.type}${size ? ` ${size}` : ""}, fingerprint ${k.fingerprint256}`;
}

function renderCertificate(entry: ChainEntry, total: number, c: Palette): string {
  const status = entry.status === "Active" ? c.green(entry.status) : entry.status === "Expired" ? c.red(entry.status) : c.yellow(entry.status);
  const role = entry.position === 0 ? (total === 1 ? "" : " (leaf)") : entry.selfSigned ? " (root)" : entry.isCA ? " (intermediate)" : "";
  let issuedBy: string;
  if (entry.link) {
    issuedBy = entry.link.verifies
      ? c.green(`certificate ${entry.link.issuer + 1}, signature verifies`)
      : c.red(`NOT certificate ${entry.link.issuer + 1}: ${entry.link.reason ?? "does not verify"}`);
  } else {
    issuedBy = entry.selfSigned ? "itself (self-signed)" : c.yellow("not included in the chain");
  }
  const rows: [string, string][] = [
    ["Subject", entry.subject],
    ["Issuer", entry.issuer],
    ["Serial", entry.serialNumber],
    ["SANs", entry.sans.length ? entry.sans.join(", ") : c.dim("(none)")],
    ["Valid", validity(entry)],
    ["Status", status],
    ["SHA-256", entry.fingerprints.sha256],
    ["SHA-1", entry.fingerprints.sha1],
    ["Public key", keyLine(entry.publicKey)],
    ["Signature", entry.signatureAlgorithm],
    ["CA", entry.isCA ? "yes" : "no"],
    ["Issued by", issuedBy],
  ];
  const title = c.bold(`Certificate ${entry.position + 1} of ${total}${role}`);
  return `${title}\n${rows.map(([k, v]) => `  ${k.padEnd(11)} ${v}`).join("\n")}\n`;
}

export function renderText(report: InspectSuccess, c: Palette): string {
  if (report.kind === "key") {
    return `${c.bold("Private key")} ${report.source}\n  ${"Type".padEnd(11)} ${keyLine(report.key)}\n`;
  }
  const parts = report.chain.map((entry) => renderCertificate(entry, report.chain.length, c));
  if (report.key) {
    const matches = report.key.matchesLeaf ? c.green("matches the leaf") : c.red("does NOT match the leaf");
    parts.push(`${c.bold("Private key")}\n  ${"Type".padEnd(11)} ${keyLine(report.key)}\n  ${"Leaf".padEnd(11)} ${matches}\n`);
  }
  if (report.kind === "pkcs12") parts.push(`${c.bold("Friendly names")} ${report.friendlyNames.length ? report.friendlyNames.join(", ") : c.dim("(none)")}\n`);
  const what = report.kind === "url" ? "presented by" : report.kind === "pkcs12" ? "in PKCS#12" : "in";
  const header = `${report.chain.length} certificate${report.chain.length === 1 ? "" : "s"} ${what} ${report.source}\n\n`;
  return header + parts.join("\n");
}
