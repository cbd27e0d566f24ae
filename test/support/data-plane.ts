/** Helpers for the data plane's tests (src/gateway/data-plane/*.test.ts): stored objects from test PKI material, a started data plane, and TLS and HTTPS clients. */
import type { X509Certificate } from "node:crypto";
import { request, type Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { toPem, type Issued } from "./pki.js";
import { emptyState, type GatewayState, type StoredCertificate, type StoredEndpoint, type StoredJwk, type StoredTrust, type StoredTrusted } from "../../src/gateway/state.js";
import { PersistentMap } from "../../src/gateway/persistent-map.js";
import { createDataPlane, type DataPlane, type DataPlaneOptions } from "../../src/gateway/data-plane/index.js";

export function storedCert(name: string, cert: Issued, opts: { hosts?: string[]; default?: boolean; revision?: number; chain?: X509Certificate[] } = {}): StoredCertificate {
  return {
    name,
    hosts: opts.hosts ?? [],
    default: opts.default ?? false,
    chainPem: toPem([cert.certificate, ...(opts.chain ?? [])]),
    keyPem: cert.keyPem,
    generated: false,
    labels: {},
    updatedRevision: opts.revision ?? 1,
  };
}

export const storedTrusted = (alias: string, cert: Issued): StoredTrusted => ({ alias, certificatePem: cert.pem, labels: {}, updatedRevision: 1 });

export const storedEndpoint = (name: string, url: string, path = `/${name}`): StoredEndpoint => ({ name, url, path, labels: {}, updatedRevision: 1 });

export const storedTrust = (name: string, alias: string, to: Partial<Pick<StoredTrust, "endpoint" | "scope" | "hosts" | "required">>): StoredTrust => ({ name, alias, ...to, labels: {}, updatedRevision: 1 });

export interface StateParts {
  revision?: number;
  certificates?: StoredCertificate[];
  trusted?: StoredTrusted[];
  endpoints?: StoredEndpoint[];
  trust?: StoredTrust[];
  jwks?: StoredJwk[];
}

const byKey = <T>(items: T[] | undefined, key: (t: T) => string): PersistentMap<T> => PersistentMap.from((items ?? []).map((t) => [key(t), t] as const));

export function state(parts: StateParts = {}): GatewayState {
  return {
    ...emptyState("node-1", "test"),
    revision: parts.revision ?? 1,
    certificates: byKey(parts.certificates, (c) => c.name),
    trusted: byKey(parts.trusted, (t) => t.alias),
    endpoints: byKey(parts.endpoints, (e) => e.name),
    trust: byKey(parts.trust, (t) => t.name),
    jwks: byKey(parts.jwks, (j) => j.name),
  };
}

export interface Running {
  plane: DataPlane;
  port: number;
  /** What the data plane reported through its warn option. */
  warnings: string[];
  close(): Promise<void>;
}

export async function startPlane(initial: GatewayState, opts: DataPlaneOptions = {}): Promise<Running> {
  const warnings: string[] = [];
  const plane = createDataPlane({ warn: (m) => warnings.push(m), ...opts });
  plane.apply(initial);
  await new Promise<void>((resolve) => plane.server.listen(0, "127.0.0.1", resolve));
  return { plane, port: (plane.server.address() as AddressInfo).port, warnings, close: () => plane.close() };
}

/** A completed handshake's server certificate fingerprint; rejects when the handshake fails. */
export function handshake(port: number, servername: string | undefined, extra: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, ...extra }, () => {
      const fp = socket.getPeerX509Certificate()?.fingerprint256;
      socket.end();
      if (fp) resolve(fp);
      else reject(new Error("no server certificate"));
    });
    socket.on("error", reject);
  });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

export interface GetOptions {
  servername?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  cert?: string;
  key?: string;
  agent?: Agent | false;
}

/** One HTTPS request to the listener, on a fresh connection unless an agent is given. */
export function get(port: number, path: string, opts: GetOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: opts.method ?? "GET",
        servername: opts.servername ?? "api.example.com",
        headers: opts.headers,
        rejectUnauthorized: false,
        agent: opts.agent ?? false,
        ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
