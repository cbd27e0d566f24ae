import { createPublicKey } from "node:crypto";
import type { BundleCsrValue, BundleManifest, BundleObjectValue } from "../model/bundle.js";
import { certificatesToPem, decodeCertificates, derToPem, dnsSans, ipSans, jwkThumbprint, parsePemBlocks, publicJwk, sniffDer } from "../x509/index.js";
import { ImportError, emptyModel, type ImportModel, type ImportedCertificate, type ImportedKey } from "./import-model.js";

/** A verified certform bundle as what the imported stack declares. */
export function fromCertform(manifest: BundleManifest, files: ReadonlyMap<string, Buffer>, target: string): ImportModel {
  const src = manifest.source;
  const model = emptyModel(src.stack, `a certform bundle of stack ${src.stack}, environment ${src.environment}${src.revision !== undefined ? ` (revision ${src.revision})` : ""}`);
  const text = (path: string) => {
    const data = files.get(path);
    if (!data) throw new ImportError(`the bundle's manifest names ${path}, which is not in the bundle`, "bundle-incomplete", "export the bundle again");
    return data.toString("utf8");
  };
  /**
   * Certificates only, written again from their DER: whatever else the file held (a key) stays behind. With
   * `fingerprint256`, the first must be the one the manifest describes: checksums rewritten to fit a swapped
   * file would otherwise import a certificate that the manifest (what a reviewer reads) does not show.
   */
  const certs = (path: string, fingerprint256?: string): string => {
    let chain;
    try {
      chain = decodeCertificates(text(path), { allowPrivateKey: false });
    } catch (err) {
      throw new ImportError(`${path}: ${(err as Error).message}`, "bad-certificate", "export the bundle again");
    }
    const first = chain[0]?.fingerprint256;
    if (fingerprint256 !== undefined && first !== fingerprint256) {
      throw new ImportError(`${path} holds the certificate ${first}, but manifest.json describes ${fingerprint256}`, "fingerprint-mismatch", "get the bundle again from its source; never import a bundle that was changed");
    }
    return certificatesToPem(chain);
  };
  const key = (status: { status: string; file?: string | undefined }): ImportedKey => {
    if (status.status !== "included" || !status.file) return { kind: "missing" };
    const pem = encryptedKeyBlock(text(status.file));
    if (!pem) throw new ImportError(`${status.file} is not an encrypted PKCS#8 key; bundles carry keys only encrypted`, "unencrypted-key", "export the bundle again with --include-private-keys");
    return { kind: "encrypted", pem, file: status.file };
  };
  const of = <K extends BundleObjectValue["kind"]>(kind: K) => manifest.objects.filter((o): o is Extract<BundleObjectValue, { kind: K }> => o.kind === kind);
  const trustedByAlias = new Map(of("trustedCertificates").map((t) => [t.alias.toLowerCase(), t.name]));
  const certByObject = new Map(of("certificates").map((c) => [c.objectName, c.name]));
  const endpointByObject = new Map(of("endpoints").map((e) => [e.objectName, e.name]));

  for (const c of of("certificates")) {
    const chainPem = certs(c.file, c.fingerprint256);
    if (c.csr) {
      model.certificates.push(csrCertificate({ ...c, csr: c.csr }, target, model.notes));
      continue;
    }
    const leaf = decodeCertificates(chainPem, { allowPrivateKey: false })[0]!;
    const defaults = c.generate ? c.generate.hosts : [...dnsSans(leaf), ...ipSans(leaf)];
    const entry: ImportModel["certificates"][number] = { name: c.name, chainPem, ...(sameHosts(c.hosts, defaults) ? {} : { hosts: c.hosts }), ...(c.default ? { default: true } : {}), ...(c.protect ? { protect: true } : {}) };
    if (c.generate) {
      const g = c.generate;
      entry.generate = { hosts: g.hosts, keyType: g.keyType, validity: g.validity, renewBefore: g.renewBefore, ...(g.subject ? { subject: g.subject } : {}) };
      if (g.issuerFile) entry.generate.issuerPem = certs(g.issuerFile);
      if (g.issuerFile) entry.generate.issuerKey = key(c.issuerKey ?? { status: "missing" });
      if (g.acme) {
        entry.generate.acme = g.acme;
        model.notes.push(`${c.address} is ordered from the ACME CA ${g.acme.directory}: the target orders its own; add acme.caBundle if that CA is private, and acme.key to use an existing account`);
      } else model.notes.push(`${c.address} is generated on the gateway: the target generates its own (a new key and certificate)`);
    } else entry.key = key(c.key);
    model.certificates.push(entry);
  }
  for (const r of manifest.requests ?? []) {
    if (model.certificates.some((c) => c.name === r.name)) throw new ImportError(`the bundle's manifest names ${r.address} twice: as a certificate and as a pending request`, "not-a-bundle", "export the bundle again");
    model.certificates.push(csrCertificate(r, target, model.notes));
  }
  model.certificates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of of("trustedCertificates")) model.trusted.push({ name: t.name, ...(t.alias !== t.name ? { alias: t.alias } : {}), pem: certs(t.file, t.fingerprint256), ...(t.protect ? { protect: true } : {}) });
  for (const e of of("endpoints")) model.endpoints.push({ name: e.name, url: e.url, ...(e.path !== `/${e.name}` ? { path: e.path } : {}), ...(e.protect ? { protect: true } : {}) });
  for (const a of of("trustAssignments")) {
    const certificate = trustedByAlias.get(a.alias.toLowerCase());
    const endpoint = a.endpoint === undefined ? undefined : endpointByObject.get(a.endpoint);
    if (!certificate || (a.endpoint !== undefined && !endpoint)) {
      model.notes.push(`${a.address} left out: it binds ${certificate ? `endpoint ${a.endpoint}` : `trusted alias ${a.alias}`}, which is not in the bundle (export with --all to take everything)`);
      continue;
    }
    model.trust.push({ name: a.name, certificate, ...(endpoint ? { endpoint } : {}), ...(a.scope ? { scope: a.scope } : {}), ...(a.hosts ? { hosts: a.hosts } : {}), ...(a.required !== undefined ? { required: a.required } : {}) });
  }
  for (const j of of("jwks")) {
    const certificate = !j.source ? undefined : "certificate" in j.source ? certByObject.get(j.source.certificate) : trustedByAlias.get(j.source.trusted.toLowerCase());
    if (!certificate) {
      model.notes.push(j.source ? `${j.address} left out: its certificate is not in the bundle (export with --all)` : `${j.address} left out: a standalone JWK (disconnected from its certificate) cannot be declared in a stack`);
      continue;
    }
    let jwk: Record<string, unknown>;
    let defaultAlg: unknown;
    try {
      jwk = JSON.parse(text(j.file)) as Record<string, unknown>;
      defaultAlg = publicJwk(createPublicKey({ key: jwk as never, format: "jwk" }), { use: j.use }).alg;
    } catch {
      throw new ImportError(`${j.file} is not a public JWK`, "bad-jwk", "export the bundle again");
    }
    model.jwks.push({
      name: j.name,
      certificate,
      use: j.use,
      ...(j.kid !== jwkThumbprint(jwk) ? { kid: j.kid } : {}),
      ...(j.alg !== undefined && j.alg !== defaultAlg ? { alg: j.alg } : {}),
      ...(j.onCertificateChange !== "update" ? { onCertificateChange: j.onCertificateChange } : {}),
      ...(j.onCertificateDelete !== "delete" ? { onCertificateDelete: j.onCertificateDelete } : {}),
    });
  }
  return model;
}

/**
 * A certificate an outside CA signed (or is yet to sign) for a key the source's gateways made: declared by its
 * request's settings, without certificate: or key:, so that the target's gateways make their own.
 */
function csrCertificate(c: { name: string; address: string; hosts: string[]; default: boolean; protect: boolean; csr: BundleCsrValue }, target: string, notes: string[]): ImportedCertificate {
  notes.push(
    `${c.address} is signed by an outside CA for a key the gateways make, and that key stays with the source: ${target}'s gateways make their own key and request (plan shows it as new). After apply, have your CA sign what \`certform csr ${c.address} --env ${target}\` writes, and add its certificate as certificate: { file: PATH } beside generate:`,
  );
  return { name: c.name, ...(sameHosts(c.hosts, c.csr.hosts) ? {} : { hosts: c.hosts }), ...(c.default ? { default: true } : {}), ...(c.protect ? { protect: true } : {}), csr: c.csr };
}

/** The one ENCRYPTED PRIVATE KEY block of a text, re-armoured, when its content really is encrypted PKCS#8. */
function encryptedKeyBlock(text: string): string | undefined {
  try {
    const blocks = parsePemBlocks(text);
    const der = blocks.length === 1 && blocks[0]!.label === "ENCRYPTED PRIVATE KEY" ? blocks[0]!.der : undefined;
    return der && sniffDer(der) === "encrypted-pkcs8" ? derToPem(der, "ENCRYPTED PRIVATE KEY") : undefined;
  } catch {
    return undefined;
  }
}

const norm = (hosts: string[]) => JSON.stringify([...hosts].map((h) => h.toLowerCase()).sort());
const sameHosts = (a: string[], b: string[]) => norm(a) === norm(b);
