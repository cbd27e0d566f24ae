import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { connect, type DetailedPeerCertificate } from "node:tls";
import { MaterialError } from "./errors.js";
import { isSelfSigned } from "./chain-order.js";

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
    throw new MaterialError("url-invalid", `${JSON.stringify(url)} is not a URL`, "write it as https://host:port or ldaps://host:port");
  }
  const port = DEFAULT_PORTS[parsed.protocol];
  if (port === undefined) {
    throw new MaterialError(
      "url-invalid",
      `${url} uses ${parsed.protocol.replace(/:$/, "")}://, but certificates can be captured only over https:// or ldaps://`,
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
 * The certificates a TLS server presents, leaf first. The connection does not verify the server:
 * the point is to see what it sends, trusted or not. node completes the chain from the certificates
 * sent (and, for a missing root, from its own root store); it stops at a self-signed certificate.
 */
export async function captureChain(url: string, opts: CaptureOptions = {}): Promise<X509Certificate[]> {
  const target = captureTarget(url, opts.servername);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const where = `${target.host}:${target.port}`;
  const peer = await new Promise<DetailedPeerCertificate>((resolve, reject) => {
    const fail = (reason: string, cause?: unknown): void => {
      socket.destroy();
      reject(new MaterialError("capture-failed", `cannot capture the certificate of ${where}: ${reason}`, captureHint(reason), { cause }));
    };
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      rejectUnauthorized: false,
      ALPNProtocols: target.port === 636 ? undefined : ["http/1.1"],
    });
    socket.setTimeout(timeoutMs, () => fail(`no TLS handshake within ${timeoutMs / 1000} s (timeout)`));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate(true);
      socket.end();
      socket.destroy();
      if (!cert || !cert.raw) reject(new MaterialError("capture-failed", `${where} presented no certificate`, "check that the address serves TLS"));
      else resolve(cert);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => fail(describeSocketError(err), err));
    socket.once("close", () => fail("the connection closed before the TLS handshake completed"));
  });
  return walkChain(peer);
}

function walkChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer;
  while (current?.raw) {
    const cert = new X509Certificate(current.raw);
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(cert);
    if (isSelfSigned(cert)) break;
    current = current.issuerCertificate;
  }
  return chain;
}

function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host ${err.message.split(" ").pop()} not found (DNS)`;
    case "ECONNRESET":
      return "the connection was reset (is this port TLS?)";
    case "ETIMEDOUT":
      return "the connection timed out";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      // TLS alerts and protocol errors arrive here; their message names them.
      return err.message;
  }
}

function captureHint(reason: string): string {
  if (reason.includes("refused")) return "check the host and port, and that the server is running";
  if (reason.includes("timeout")) return "check that the address is reachable from here and serves TLS";
  if (reason.includes("DNS")) return "check the host name";
  return "check that the address serves TLS (https:// or ldaps://, not plain ldap:// or http://)";
}
