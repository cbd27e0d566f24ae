import type { KeyObject, X509Certificate } from "node:crypto";
import { quoteValue } from "../model/redact.js";

export interface PemBlock {
  label: string;
  /** The block's full text, BEGIN to END line, with LF line ends (what createPrivateKey wants). */
  text: string;
  /** Decoded body; undefined when the body carries RFC 1421 headers (legacy encrypted keys). */
  der: Buffer | undefined;
  /** RFC 1421 headers such as Proc-Type: 4,ENCRYPTED. */
  headers: Record<string, string>;
}

const BLOCK = /-----BEGIN ([A-Z0-9 #-]+)-----([\s\S]*?)-----END ([A-Z0-9 #-]+)-----/g;

export function looksLikePem(text: string): boolean {
  return text.includes("-----BEGIN ");
}

/**
 * All PEM blocks of a text, in order. Text around and between blocks is ignored (openssl writes
 * "subject=…" lines before certificates). A BEGIN without its END is an error, not silently dropped.
 */
export function parsePemBlocks(text: string): PemBlock[] {
  const normalized = text.replace(/\r\n?/g, "\n");
  const blocks: PemBlock[] = [];
  for (const m of normalized.matchAll(BLOCK)) {
    const label = m[1]!;
    if (m[3] !== label) {
      throw new PemError(`PEM block ${quoteValue(`BEGIN ${label}`)} ends with ${quoteValue(`END ${m[3]}`)}`);
    }
    const { headers, body } = splitHeaders(m[2]!);
    const compact = body.replace(/\s+/g, "");
    const der = Object.keys(headers).length > 0 ? undefined : strictBase64(compact);
    if (der === null) throw new PemError(`PEM block ${quoteValue(label)} has characters outside base64 in its body`);
    blocks.push({ label, text: `-----BEGIN ${label}-----\n${m[2]!.trim()}\n-----END ${label}-----\n`, der, headers });
  }
  const begins = normalized.match(/-----BEGIN [A-Z0-9 #-]+-----/g)?.length ?? 0;
  if (begins > blocks.length) throw new PemError("a PEM block has a BEGIN line without its END line (truncated?)");
  return blocks;
}

export class PemError extends Error {}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const lines = raw.split("\n");
  const headers: Record<string, string> = {};
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === "") i++;
  while (i < lines.length && /^[A-Za-z-]+:/.test(lines[i]!)) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
    i++;
  }
  return { headers, body: lines.slice(i).join("\n") };
}

/** Decodes base64 without tolerating stray characters; null when invalid. */
export function strictBase64(compact: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return null;
  return Buffer.from(compact, "base64");
}

export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** One PEM text for one certificate or a chain, in the order given. */
export function certificatesToPem(certs: X509Certificate | X509Certificate[]): string {
  return (Array.isArray(certs) ? certs : [certs]).map((c) => derToPem(c.raw, "CERTIFICATE")).join("");
}

export type KeyPemFormat = "pkcs8" | "pkcs1" | "sec1";

/**
 * PEM text of a private key. Only for writing key files the user asked for and for tests:
 * nothing certform prints may call this.
 */
export function privateKeyToPem(key: KeyObject, opts: { format?: KeyPemFormat; passphrase?: string } = {}): string {
  const format = opts.format ?? "pkcs8";
  if (opts.passphrase !== undefined) {
    return key.export({ type: format, format: "pem", cipher: "aes-256-cbc", passphrase: opts.passphrase }) as string;
  }
  return key.export({ type: format, format: "pem" }) as string;
}
