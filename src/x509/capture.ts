import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { connect, type DetailedPeerCertificate } from "node:tls";
import { quoteValue } from "../model/redact.js";
import { isSelfSigned } from "./chain-order.js";
import { MaterialError } from "./errors.js";
import { HINT, describeSocketError, type Failure } from "./socket-errors.js";

export interface CaptureOptions {
  /** Default 10 000. */
  timeoutMs?: number;
  /** SNI to send; default the URL's host unless it is an IP address. */
  servername?: string;
}

export interface CaptureTarget {
  host: string;
  port: number;
  servername?: string;
}

const DEFAULT_PORTS: Record<string, number> = { "https:": 443, "ldaps:": 636 };

/** Parses https://host[:port] or ldaps://host[:port]; throws MaterialError 'url-invalid' otherwise. */
export function captureTarget(url: string, servername?: string): CaptureTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MaterialError("url-invalid", `${quoteValue(url)} is not a URL`, "write it as https://host:port or ldaps://host:port");
  }
  const port = DEFAULT_PORTS[parsed.protocol];
  if (port === undefined) {
    throw new MaterialError(
      "url-invalid",
      `${quoteValue(url)} uses ${quoteValue(parsed.protocol.replace(/:$/, ""))}, but certificates can be captured only over https:// or ldaps://`,
      "write it as https://host:port or ldaps://host:port (STARTTLS is not supported)",
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const target: CaptureTarget = { host, port: parsed.port ? Number(parsed.port) : port };
  const sni = servername ?? (isIP(host) ? undefined : host);
  if (sni) target.servername = sni;
  return target;
}

/**
 * The certificates a TLS server presents, leaf first, each followed by its issuer, without
 * duplicates. The connection does not verify the server: the point is to see what it sends, trusted
 * or not.
 *
 * Not strictly only what the server sent: node's getPeerCertificate(true) links the certificates
 * the server sent by issuer (dropping sent certificates that are not on the leaf's path) and, when
 * that path does not end at a self-issued certificate, appends issuers from node's own root store
 * (typically the root a server rightly omits). node offers no way to tell those apart, so the last
 * certificate(s) may come from this machine's root store; `select: root` relies on exactly that.
 */
export async function captureChain(url: string, opts: CaptureOptions = {}): Promise<X509Certificate[]> {
  const target = captureTarget(url, opts.servername);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const where = quoteValue(`${target.host}:${target.port}`);
  const peer = await new Promise<DetailedPeerCertificate>((resolve, reject) => {
    const fail = ({ reason, hint }: Failure, cause?: unknown): void => {
      socket.destroy();
      reject(new MaterialError("capture-failed", `cannot capture the certificate of ${where}: ${reason}`, hint, { cause }));
    };
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      rejectUnauthorized: false,
      ALPNProtocols: target.port === 636 ? undefined : ["http/1.1"],
    });
    socket.setTimeout(timeoutMs, () => fail({ reason: `no TLS handshake within ${timeoutMs / 1000} s (timeout)`, hint: HINT.reach }));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate(true);
      socket.end();
      socket.destroy();
      if (!cert || !cert.raw) reject(new MaterialError("capture-failed", `${where} presented no certificate`, "check that the address serves TLS"));
      else resolve(cert);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => fail(describeSocketError(err, target.host), err));
    socket.once("close", () => fail({ reason: "the connection closed before the TLS handshake completed", hint: HINT.tls }));
  });
  return walkChain(peer);
}

/** node's issuerCertificate links, leaf → root; stops at a self-signed certificate or a repeat. */
function walkChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer;
  while (current?.raw) {
    const cert = new X509Certificate(current.raw);
    // A self-issued certificate is its own issuerCertificate; a repeat also ends the walk.
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(cert);
    if (isSelfSigned(cert)) break;
    current = current.issuerCertificate;
  }
  return chain;
}
