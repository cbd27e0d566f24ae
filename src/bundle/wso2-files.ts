import type { X509Certificate } from "node:crypto";
import { load } from "js-yaml";
import { decodeCertificates } from "../x509/index.js";
import { ImportError } from "./import-model.js";

// Reading a WSO2 apictl export's files: api.yaml (4.x `data:` or 3.x top level, endpointConfig as a map or
// a JSON string) and the certificate lists with the .crt files they name.

export type Files = ReadonlyMap<string, Buffer>;
export type Doc = Record<string, unknown>;

export const META = /^((?:.*\/)?)(?:Endpoint-certificates\/endpoint_certificates|Client-certificates\/client_certificates|Meta-information\/(?:endpoint|client)_certificates|Meta-information\/api|api)\.(?:ya?ml|json)$/;

export function parse(files: Files, path: string): Doc | unknown[] | undefined {
  const data = files.get(path);
  if (!data) return undefined;
  try {
    return load(data.toString("utf8")) as Doc;
  } catch (err) {
    throw new ImportError(`${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`, "bad-wso2-export", "give the export as apictl wrote it");
  }
}

export const first = (files: Files, root: string, names: string[]) => names.map((n) => `${root}${n}`).find((p) => files.has(p));
export const entriesOf = (doc: unknown): Doc[] => (Array.isArray(doc) ? doc : Array.isArray((doc as Doc | undefined)?.data) ? ((doc as Doc).data as unknown[]) : []).filter((e): e is Doc => typeof e === "object" && e !== null);

export interface Api {
  name: string;
  path?: string;
  production: string[];
  sandbox: string[];
  mutualSslOptional: boolean;
}

export function apiOf(files: Files, root: string): Api | undefined {
  const path = first(files, root, ["api.yaml", "api.yml", "api.json", "Meta-information/api.yaml", "Meta-information/api.json"]);
  const doc = path ? (parse(files, path) as Doc | undefined) : undefined;
  if (!doc) return undefined;
  const d = (typeof doc.data === "object" && doc.data !== null ? doc.data : doc) as Doc;
  const id = (d.id ?? {}) as Doc;
  const name = String(d.name ?? id.apiName ?? "api");
  const version = String(d.version ?? id.version ?? "");
  let config = d.endpointConfig as unknown;
  if (typeof config === "string") {
    try {
      config = JSON.parse(config);
    } catch {
      throw new ImportError(`${path}: endpointConfig is not JSON`, "bad-wso2-export", "export the API again with apictl, or fix endpointConfig in that file");
    }
  }
  const urls = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(urls) : typeof v === "object" && v !== null && typeof (v as Doc).url === "string" ? [String((v as Doc).url)] : []);
  const c = (config ?? {}) as Doc;
  let context = typeof d.context === "string" ? d.context : undefined;
  if (context && version) context = context.includes("{version}") ? context.replace("{version}", version) : context.endsWith(`/${version}`) ? context : `${context}/${version}`;
  const schemes = Array.isArray(d.securityScheme) ? d.securityScheme.map(String) : [];
  return {
    name,
    ...(context && /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(context) ? { path: context } : {}),
    production: urls(c.production_endpoints),
    sandbox: urls(c.sandbox_endpoints),
    mutualSslOptional: schemes.includes("mutualssl") && !schemes.includes("mutualssl_mandatory") && schemes.some((s) => ["oauth2", "api_key", "basic_auth"].includes(s)),
  };
}

export function certificateOf(files: Files, dir: string, entry: Doc): X509Certificate {
  const alias = String(entry.alias ?? "");
  const named = typeof entry.certificate === "string" ? entry.certificate : "";
  const path = [`${dir}${named}`, `${dir}${alias}.crt`, `${dir}${alias}.pem`].find((p) => files.has(p) && !p.endsWith("/"));
  const data = path ? files.get(path)! : /^[A-Za-z0-9+/=\s]{64,}$/.test(named) ? Buffer.from(`-----BEGIN CERTIFICATE-----\n${named}\n-----END CERTIFICATE-----\n`) : undefined;
  if (!data) throw new ImportError(`${dir}: the certificate of alias ${JSON.stringify(alias)} (${named || "no file named"}) is not in the export`, "bad-wso2-export", "export the API again with apictl, certificates included");
  try {
    return decodeCertificates(data, { allowPrivateKey: false })[0]!;
  } catch (err) {
    throw new ImportError(`${path ?? dir}: ${(err as Error).message}`, "bad-certificate", "replace the file with the certificate WSO2 holds for this alias");
  }
}

export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}-${u.port}` : u.hostname;
  } catch {
    return "endpoint";
  }
}
