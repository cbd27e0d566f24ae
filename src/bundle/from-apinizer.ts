import { decodeCertificates, certificatesToPem } from "../x509/index.js";
import { emptyModel, ImportError, safeAlias, slug, uniqueName, type ImportModel } from "./import-model.js";

// An Apinizer certificate export: a ZIP of `{name}-{environment}.cer` files (DER; PEM is read too). Each
// certificate is a truststore entry of its environment, so it becomes a trusted certificate (alias kept)
// trusted for the whole environment (scope: environment); in Apinizer's "API Manager" environment it is
// trusted for the gateway's own calls (scope: management).

export interface ApinizerFile {
  path: string;
  name: string;
  /** undefined: the file name names no environment. */
  environment: string | undefined;
}

/** `{name}-{environment}.cer`: split at the last `-`, unless a known environment name matches the end. */
export function apinizerFiles(paths: string[], known: string[]): ApinizerFile[] {
  return paths.sort().map((path) => {
    const base = path.slice(path.lastIndexOf("/") + 1).replace(/\.(cer|crt|der|pem)$/i, "");
    const env = known.find((k) => base.toLowerCase().endsWith(`-${k.toLowerCase()}`) && base.length > k.length + 1);
    if (env) return { path, name: base.slice(0, base.length - env.length - 1), environment: env };
    const dash = base.lastIndexOf("-");
    return dash > 0 ? { path, name: base.slice(0, dash), environment: base.slice(dash + 1) } : { path, name: base, environment: undefined };
  });
}

export function fromApinizer(files: ReadonlyMap<string, Buffer>, sourceEnvironment: string | undefined, known: string[]): ImportModel {
  const model = emptyModel("apinizer-import", `an Apinizer certificate export${sourceEnvironment ? `, environment ${sourceEnvironment}` : ""}`);
  const taken = new Set<string>();
  for (const f of apinizerFiles([...files.keys()], known)) {
    if (f.environment !== undefined && sourceEnvironment !== undefined && f.environment !== sourceEnvironment) continue;
    let chain;
    try {
      chain = decodeCertificates(files.get(f.path)!, { allowPrivateKey: false });
    } catch (err) {
      throw new ImportError(`${f.path}: ${(err as Error).message}`, "bad-certificate", "an Apinizer export holds one certificate per .cer file; remove or replace this file");
    }
    if (chain.length > 1) model.notes.push(`${f.path} holds ${chain.length} certificates: the first was taken`);
    const name = uniqueName(slug(f.name, "certificate"), taken);
    const alias = safeAlias(f.name);
    if (alias !== f.name) model.notes.push(`${f.path}: ${JSON.stringify(f.name)} is not a valid gateway alias ([A-Za-z0-9._-]{1,64}): it became ${alias}`);
    model.trusted.push({ name, ...(alias !== name ? { alias } : {}), pem: certificatesToPem(chain[0]!) });
    const management = /^api[ _-]?manager$/i.test(sourceEnvironment ?? f.environment ?? "");
    model.trust.push({ name, certificate: name, scope: management ? "management" : "environment" });
  }
  if (model.trusted.length === 0) throw new ImportError(`the Apinizer export holds no certificate of environment ${sourceEnvironment}`, "empty-import", "choose another environment with --map-environment FROM=TARGET");
  return model;
}
