import { PASSPHRASE_VARIABLE } from "../model/bundle.js";
import type { ImportModel, ImportedKey } from "./import-model.js";

// Writes an import as a stack directory: one YAML file and the certificate (and encrypted key) files it
// names. Values are written as YAML flow collections and JSON-style double-quoted strings, which read back
// exactly as written; keys never appear in the YAML, only the files that hold them encrypted.

export interface RenderInput {
  model: ImportModel;
  stackName: string;
  environment: string;
  gateway: { type: string; nodes: string[] };
  version: string;
}

export interface Placeholder {
  address: string;
  variable: string;
  what: string;
}

export interface RenderedStack {
  /** Files by path relative to the output directory; the stack file among them. */
  files: Map<string, string>;
  stackFile: string;
  placeholders: Placeholder[];
  /** Keys written (encrypted) under keys/. */
  encryptedKeys: string[];
}

export { PASSPHRASE_VARIABLE };
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

const str = (s: string) => JSON.stringify(s);
/**
 * Plain where every YAML reader reads it back as the same string: starting with a letter, _ or / (never a
 * number, date or indicator), no flow or comment characters, not a boolean or null; durations (60d) too.
 * Anything else is double-quoted.
 */
const plain = (s: string) => ((/^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(s) && !RESERVED.test(s)) || /^[1-9][0-9]*[smhdwy]$/.test(s) ? s : str(s));
const key = (k: string) => (/^[A-Za-z][A-Za-z0-9._-]*$/.test(k) ? plain(k) : str(k));

/** A value in YAML flow style. */
export function flow(v: unknown): string {
  if (typeof v === "string") return plain(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, x]) => `${key(k)}: ${flow(x)}`).join(", ")} }`;
}

export function renderStack(input: RenderInput): RenderedStack {
  const { model, environment } = input;
  const files = new Map<string, string>();
  const placeholders: Placeholder[] = [];
  const encryptedKeys: string[] = [];
  const variables = new Set<string>();
  const keySource = (k: ImportedKey, file: string, address: string, what: string, suffix = ""): { value: Record<string, string>; comment?: string } => {
    if (k.kind === "encrypted") {
      files.set(file, k.pem);
      encryptedKeys.push(file);
      return { value: { file, passphrase: `\${env:${PASSPHRASE_VARIABLE}}` } };
    }
    const base = `CERTFORM_KEY_${address.slice(address.indexOf(".") + 1).toUpperCase().replace(/[^A-Z0-9]/g, "_")}${suffix}`;
    let variable = base;
    for (let i = 2; variables.has(variable); i++) variable = `${base}_${i}`;
    variables.add(variable);
    placeholders.push({ address, variable, what });
    return { value: { env: variable }, comment: `not in the bundle: put the ${what}'s PEM text in ${variable}` };
  };

  const lines: string[] = [
    `# Written by certform import (certform ${input.version}) from ${model.source.replace(/[\u0000-\u001f\u007f]/g, " ")}.`,
    "# Certificates are in the files next to this one; keys only ever encrypted under keys/, or read from",
    "# the CERTFORM_KEY_* variables listed where they are used.",
    "apiVersion: certform/v1",
    "kind: Stack",
    `name: ${key(input.stackName)}`,
    "",
    "environments:",
    `  ${key(environment)}:`,
    `    gateway: ${flow(input.gateway.type === "haproxy" ? { ...input.gateway, listen: "127.0.0.1:8443", dir: "/var/lib/certform/haproxy" } : input.gateway)}${input.gateway.type === "haproxy" ? "  # check listen and dir" : ""}`,
  ];
  const section = (title: string, items: { name: string; fields: [string, unknown, string?][] }[]) => {
    if (items.length === 0) return;
    lines.push("", `${title}:`);
    for (const item of items) {
      lines.push(`  ${key(item.name)}:`);
      for (const [k, v, comment] of item.fields) if (v !== undefined) lines.push(`    ${key(k)}: ${flow(v)}${comment ? `  # ${comment}` : ""}`);
    }
  };

  section(
    "certificates",
    model.certificates.map((c) => {
      const address = `certificates.${c.name}`;
      const fields: [string, unknown, string?][] = [];
      if (c.csr) {
        const { renewBefore, ...csr } = c.csr;
        fields.push(["generate", { csr: { subject: csr.subject, hosts: csr.hosts, keyType: csr.keyType }, renewBefore }, `the CA signs it: \`certform csr ${address} --env ${environment}\`, then add certificate: { file: PATH }`]);
      } else if (c.generate) {
        const g = c.generate;
        const generate: Record<string, unknown> = { hosts: g.hosts, keyType: g.keyType, ...(g.acme ? {} : { validity: g.validity }), renewBefore: g.renewBefore, subject: g.subject };
        if (g.acme) {
          generate.acme = g.acme;
          fields.push(["generate", generate]);
        } else if (g.issuerPem) {
          const certFile = `certificates/${c.name}.issuer.pem`;
          files.set(certFile, g.issuerPem);
          const k = keySource(g.issuerKey ?? { kind: "missing" }, `keys/${c.name}.issuer.key`, address, "issuer key", "_ISSUER");
          generate.issuer = { certificate: { file: certFile }, key: k.value };
          fields.push(["generate", generate, k.comment]);
        } else fields.push(["generate", generate]);
      } else {
        const certFile = `certificates/${c.name}.pem`;
        files.set(certFile, c.chainPem ?? "");
        fields.push(["certificate", { file: certFile }]);
        const k = keySource(c.key ?? { kind: "missing" }, `keys/${c.name}.key`, address, "key");
        fields.push(["key", k.value, k.comment]);
      }
      fields.push(["hosts", c.hosts], ["default", c.default], ["protect", c.protect]);
      return { name: c.name, fields };
    }),
  );
  section(
    "trustedCertificates",
    model.trusted.map((t) => {
      files.set(`trusted/${t.name}.pem`, t.pem);
      return { name: t.name, fields: [["alias", t.alias], ["certificate", { file: `trusted/${t.name}.pem` }], ["protect", t.protect]] };
    }),
  );
  section("endpoints", model.endpoints.map((e) => ({ name: e.name, fields: [["url", e.url], ["path", e.path], ["protect", e.protect]] })));
  section("trustAssignments", model.trust.map((a) => ({ name: a.name, fields: [["certificate", a.certificate], ["endpoint", a.endpoint], ["scope", a.scope], ["hosts", a.hosts], ["required", a.required]] })));
  section("jwks", model.jwks.map((j) => ({ name: j.name, fields: [["certificate", j.certificate], ["use", j.use], ["kid", j.kid], ["alg", j.alg], ["onCertificateChange", j.onCertificateChange], ["onCertificateDelete", j.onCertificateDelete]] })));
  const stackFile = `${input.stackName}.yaml`;
  files.set(stackFile, `${lines.join("\n")}\n`);
  return { files, stackFile, placeholders, encryptedKeys };
}
