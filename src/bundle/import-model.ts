import { ALIAS_PATTERN, NAME_PATTERN } from "../model/index.js";

// What an import declares, whatever it was read from: a certform bundle, a WSO2 apictl export or an
// Apinizer export all become this, and stack-yaml.ts writes it as a stack.

/** A key as the import has it: encrypted PKCS#8 PEM from the bundle, or nothing (a placeholder is written). */
export type ImportedKey = { kind: "encrypted"; pem: string; file: string } | { kind: "missing" };

export interface ImportedCertificate {
  name: string;
  /** The chain to declare as `certificate:`; none where the target makes its own (generate:). */
  chainPem?: string;
  hosts?: string[];
  default?: boolean;
  protect?: boolean;
  key?: ImportedKey;
  generate?: {
    hosts: string[];
    keyType: string;
    validity: string;
    renewBefore: string;
    subject?: string;
    issuerPem?: string;
    issuerKey?: ImportedKey;
    acme?: { directory: string; email?: string; challenge: "tls-alpn-01" | "http-01" };
  };
  /** Signed by an outside CA (generate: { csr }): the target's gateways make their own key and request. */
  csr?: { subject?: string; hosts: string[]; keyType: string; renewBefore: string };
}
export interface ImportedTrusted {
  name: string;
  alias?: string;
  pem: string;
  protect?: boolean;
}
export interface ImportedEndpoint {
  name: string;
  url: string;
  path?: string;
  protect?: boolean;
}
export interface ImportedTrust {
  name: string;
  certificate: string;
  endpoint?: string;
  scope?: "environment" | "management" | "clients";
  hosts?: string[];
  required?: boolean;
}
export interface ImportedJwk {
  name: string;
  certificate: string;
  use: "sig" | "enc";
  kid?: string;
  alg?: string;
  onCertificateChange?: "update" | "disconnect";
  onCertificateDelete?: "delete" | "disconnect";
}

export interface ImportModel {
  /** The stack name the input suggests (a certform bundle's own; a slug for foreign exports). */
  stackName: string;
  /** In words, for the stack's header comment and the import's report. */
  source: string;
  certificates: ImportedCertificate[];
  trusted: ImportedTrusted[];
  endpoints: ImportedEndpoint[];
  trust: ImportedTrust[];
  jwks: ImportedJwk[];
  /** What was left out or needs a look, in words. */
  notes: string[];
}

export const emptyModel = (stackName: string, source: string): ImportModel => ({ stackName, source, certificates: [], trusted: [], endpoints: [], trust: [], jwks: [], notes: [] });

/** A name a stack accepts, made from anything: invalid characters become -, cut to 64. */
export function slug(text: string, fallback = "imported"): string {
  if (NAME_PATTERN.test(text)) return text;
  const s = text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 64).replace(/-+$/, "");
  return s && NAME_PATTERN.test(s) ? s : fallback;
}

/** An alias kept as it was where the gateway accepts it, else made safe. */
export const safeAlias = (alias: string): string => (ALIAS_PATTERN.test(alias) ? alias : slug(alias, "alias"));

/** Picks a name not yet in `taken` (case-insensitive): `want`, then `want-2`, … */
export function uniqueName(want: string, taken: Set<string>): string {
  let name = want;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${want.slice(0, 60)}-${i}`;
  taken.add(name.toLowerCase());
  return name;
}

/** An import refused for what the input holds or what was asked: `hint` says what to do. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "ImportError";
  }
}
