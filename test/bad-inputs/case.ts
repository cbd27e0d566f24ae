import type { Material } from "./material.js";

// One bad input and what certform must say about it. A case is data: the runner (catalogue.test.ts) makes
// its files in a temp dir, runs the command line on them and checks the answer; see README.md.

export type Files = Record<string, string | Buffer>;

/** What the error must say: its code, where it is, and the stable parts of its message and fix. */
export interface Expected {
  code: string;
  /** The file the error points at, relative to the case's directory; default stack.yaml. */
  file?: string;
  /** The text the error's line:column points at in that file (its nth occurrence, default the first). */
  at?: string | ((m: Material) => string);
  nth?: number;
  /** Or the position itself, for a problem of the whole file (1:1). */
  line?: number;
  column?: number;
  /** The resource address, e.g. certificates.api[dev]; null for a problem of a file or of the stack. */
  address?: string | null;
  /** Contained in (string) or matched by (RegExp) the message. */
  message: string | RegExp;
  /** Contained in or matched by the fix. */
  hint: string | RegExp;
  /** It is the only error: nothing else is reported as a consequence of it. */
  alone?: boolean;
}

/** A stack directory: `validate` must refuse it with the error expected, and `apply` must change nothing. */
export interface StackCase {
  kind: "stack";
  id: string;
  title: string;
  files(m: Material): Files;
  /** Environment variables for both runs (the runner sets none of its own). */
  env?: Record<string, string>;
  expect: Expected;
}

/** A bundle file: `import --apply` must refuse it, write nothing and change nothing. */
export interface BundleCase {
  kind: "bundle";
  id: string;
  title: string;
  /** The file's name: import tells the format from the content, but a name makes the message readable. */
  name: string;
  bundle(m: Material, real: Map<string, Buffer>): Buffer | Promise<Buffer>;
  expect: { code: string; /** The entry (or file) the message must name. */ entry?: string; message: string | RegExp; hint: string | RegExp };
}

export type BadInput = StackCase | BundleCase;

export const HEADER = "apiVersion: certform/v1\nkind: Stack\nname: payments\n";

/** The two environments, on the catalogue's two real gateways. */
export function environments(m: Material): string {
  return `environments:\n  dev:\n    gateway: { type: embedded, nodes: ["${m.gateways.dev}"] }\n  prod:\n    gateway: { type: embedded, nodes: ["${m.gateways.prod}"] }\n`;
}

/** A whole stack file: header, environments, then `body`. */
export function stackText(m: Material, body: string): string {
  return `${HEADER}${environments(m)}${body}`;
}

/** The usual shape: certificates.api from api.pem and api.key, whatever those files hold. */
export const API_FILES = "certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key }\n";

/** A stack of one server certificate whose files are `pem` and `key` (the good ones unless given). */
export function serverCertificate(m: Material, files: { pem?: string | Buffer; key?: string | Buffer; body?: string } = {}): Files {
  return {
    "stack.yaml": stackText(m, files.body ?? API_FILES),
    "api.pem": files.pem ?? m.pki.chainPem,
    "api.key": files.key ?? m.pki.leaf.keyPem,
  };
}

/** A stack of one truststore entry read from ca.pem. */
export function trustedFile(m: Material, pem: string | Buffer): Files {
  return { "stack.yaml": stackText(m, "trustedCertificates:\n  partner-ca:\n    certificate: { file: ca.pem }\n"), "ca.pem": pem };
}

export const stackCase = (c: Omit<StackCase, "kind">): StackCase => ({ kind: "stack", ...c });
export const bundleCase = (c: Omit<BundleCase, "kind">): BundleCase => ({ kind: "bundle", ...c });
