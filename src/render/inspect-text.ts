import type { ChainEntry, InspectSuccess, KeyInfoReport } from "../model/inspect-report.js";
import { textTable } from "./text-table.js";
import { escapeControl } from "../model/control-chars.js";
import type { Palette } from "./palette.js";

/** The path or URL as typed, with control characters escaped so that it cannot drive the terminal. */
const plain = escapeControl;

function validity(info: ChainEntry): string {
  const left = info.daysLeft;
  const span = `${info.notBefore} → ${info.notAfter}`;
  if (info.status === "Expired") return `${span} (expired on ${info.notAfter.slice(0, 10)})`;
  if (info.status === "NotYetValid") return `${span} (not valid yet)`;
  return `${span} (${left} day${left === 1 ? "" : "s"} left)`;
}

function keyLine(k: KeyInfoReport): string {
  const size = k.curve ? `${k.curve}${k.bits && k.curve !== `P-${k.bits}` ? ` (${k.bits} bits)` : ""}` : k.bits ? `${k.bits} bits` : "";
  const what = k.algorithm ? ` (OID ${k.algorithm}; OpenSSL cannot load this key, so its size is unknown)` : "";
  return `${k.type}${size ? ` ${size}` : ""}${what}, fingerprint ${k.fingerprint256}`;
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
    // Names are escaped where they are read; escaping again is idempotent and guards whatever a field may bring.
    ["Subject", plain(entry.subject)],
    ["Issuer", plain(entry.issuer)],
    ["Serial", plain(entry.serialNumber)],
    ["SANs", entry.sans.length ? entry.sans.map(plain).join(", ") : c.dim("(none)")],
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

/** `certform inspect` as text: one block per certificate, then the key and friendly names. Formats only. */
export function renderInspectText(report: InspectSuccess, c: Palette): string {
  const source = report.source === "-" ? "(standard input)" : plain(report.source);
  if (report.kind === "key") {
    return `${c.bold("Private key")} ${source}\n  ${"Type".padEnd(11)} ${keyLine(report.key)}\n`;
  }
  if (report.kind === "keystore") return renderKeystore(report, source, c);
  const parts = report.chain.map((entry) => renderCertificate(entry, report.chain.length, c));
  if (report.key) {
    const matches = report.key.matchesLeaf ? c.green("matches the leaf") : c.red("does NOT match the leaf");
    parts.push(`${c.bold("Private key")}\n  ${"Type".padEnd(11)} ${keyLine(report.key)}\n  ${"Leaf".padEnd(11)} ${matches}\n`);
  }
  if (report.kind === "pkcs12") parts.push(`${c.bold("Friendly names")} ${report.friendlyNames.length ? report.friendlyNames.map(plain).join(", ") : c.dim("(none)")}\n`);
  const what = report.kind === "url" ? "presented by" : report.kind === "pkcs12" ? "in PKCS#12" : "in";
  const header = `${report.chain.length} certificate${report.chain.length === 1 ? "" : "s"} ${what} ${source}\n\n`;
  return header + parts.join("\n");
}

/** A keystore: one row per entry (alias, type, subject, notAfter, status); keys are never opened. */
function renderKeystore(report: Extract<InspectSuccess, { kind: "keystore" }>, source: string, c: Palette): string {
  const n = report.entries.length;
  const checked = report.integrityChecked ? "integrity checked" : c.yellow("integrity NOT checked: give --passphrase-env VAR");
  const header = `${c.bold(`${report.keystoreType} keystore`)} ${source}: ${n} entr${n === 1 ? "y" : "ies"} (${checked})\n`;
  if (n === 0) return header;
  const rows = report.entries.map((e) => [
    e.alias,
    e.type === "privateKey" ? `private key (chain of ${e.chainLength})` : "trusted certificate",
    e.subject,
    e.notAfter,
    e.status === "Active" ? `${e.daysLeft} day${e.daysLeft === 1 ? "" : "s"} left` : e.status,
  ]);
  const style = (i: number, line: string) => (report.entries[i]!.status === "Active" ? line : c.red(line));
  return `${header}\n${textTable(["Alias", "Type", "Subject", "Not after", "Status"], rows, style)}`;
}
