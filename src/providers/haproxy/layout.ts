import { isAbsolute, join, resolve } from "node:path";
import type { Gateway } from "../../model/index.js";

// Where certform keeps an environment's HAProxy data. HAProxy names a certificate and a CA file by the path
// it was loaded from, so these paths are both the files on disk and the objects' names in the runtime API.

export type HaproxyGateway = Extract<Gateway, { type: "haproxy" }>;

export interface Layout {
  dir: string;
  crtList: string;
  /** The client certificate of every backend's `server` line: without one, `commit ssl ca-file` reaches no server (HAProxy 2.6). */
  clientCert: string;
  /** A CA whose key was thrown away: every CA file starts with it, because HAProxy refuses to start with an empty one. */
  placeholderCa: string;
  /**
   * What the runtime API cannot hold (labels, trusted certificates, endpoint settings, trust bindings), one
   * file per node: a node's revision covers its own file, so that applying to one node leaves the others' plans valid.
   */
  stateFile(node: string): string;
  lockFile: string;
  certificate(name: string): string;
  caFile(endpoint: string): string;
}

export function layoutOf(dir: string, baseDir = process.cwd()): Layout {
  const root = isAbsolute(dir) ? dir : resolve(baseDir, dir);
  return {
    dir: root,
    crtList: join(root, "crt-list.txt"),
    clientCert: join(root, "client.pem"),
    placeholderCa: join(root, "placeholder-ca.pem"),
    stateFile: (node) => join(root, "state", `${node.replace(/^[a-z]+:\/\//, "").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+/, "")}.json`),
    lockFile: join(root, "certform.lock"),
    certificate: (name) => join(root, "certs", `${name}.pem`),
    caFile: (endpoint) => join(root, "ca", `${endpoint}.pem`),
  };
}

export const BACKEND_PREFIX = "certform_";

/** The backend HAProxy routes an endpoint's requests to. */
export const backendOf = (endpoint: string): string => `${BACKEND_PREFIX}${endpoint}`;

/** A runtime API address of the stack's `nodes:` as node:net connects to it. */
export function socketOf(node: string): { path: string } | { host: string; port: number } {
  if (node.startsWith("unix://")) {
    const path = node.slice("unix://".length);
    if (path.startsWith("/")) return { path };
  } else if (node.startsWith("tcp://")) {
    const url = new URL(node);
    if (url.hostname && url.port) return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) };
  }
  throw new Error(`${JSON.stringify(node)} is not a runtime API address: write unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999`);
}
