import { join } from "node:path";
import { NAME_PATTERN } from "../model/index.js";
import { readFileSync, statSync } from "node:fs";
import { decodeCertificates, decodeKeystore, decodePrivateKey, MaterialError, type Keystore } from "../x509/index.js";
import { fromApinizer, apinizerFiles } from "./from-apinizer.js";
import { fromCertform } from "./from-certform.js";
import { fromWso2 } from "./from-wso2.js";
import { ImportError, type ImportModel } from "./import-model.js";
import { DEFAULT_LIMITS, type ReadLimits } from "./limits.js";
import { openInput, type InputFormat, type OpenedInput } from "./open.js";
import { renderStack, type Placeholder } from "./stack-yaml.js";
import { checkOutputDir, writeDirectory } from "./write-dir.js";

export interface ImportRequest {
  input: string;
  /** The environment the stack targets. */
  environment: string;
  outDir: string;
  /** --map-environment FROM=TO pairs. */
  mappings: [string, string][];
  nodes: string[];
  gatewayType: string;
  name?: string;
  from?: InputFormat;
  version: string;
  /** CERTFORM_BUNDLE_PASSPHRASE, when set: encrypted keys are checked against their certificates. */
  passphrase?: string;
  /** --truststore FILE with the passphrase from --passphrase-env: a WSO2 gateway's truststore (JKS or JCEKS). */
  truststore?: { file: string; passphrase: string };
  limits?: ReadLimits;
}

export interface ImportResult {
  format: InputFormat;
  source: string;
  sourceEnvironment?: string;
  stackName: string;
  stackFile: string;
  files: string[];
  placeholders: Placeholder[];
  encryptedKeys: string[];
  notes: string[];
  counts: Record<"certificates" | "trustedCertificates" | "endpoints" | "trustAssignments" | "jwks", number>;
}

/** Reads, checks and converts the input, then writes the stack; any refusal comes before the first write. */
export function importBundle(req: ImportRequest): ImportResult {
  if (!NAME_PATTERN.test(req.environment)) throw new ImportError(`--env ${JSON.stringify(req.environment)} is not a valid environment name`, "bad-name", "1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit");
  if (req.name !== undefined && !NAME_PATTERN.test(req.name)) throw new ImportError(`--name ${JSON.stringify(req.name)} is not a valid stack name`, "bad-name", "1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit");
  if (!["embedded", "haproxy"].includes(req.gatewayType)) throw new ImportError(`--gateway-type ${req.gatewayType} is not a gateway type`, "bad-gateway-type", "use embedded or haproxy");
  for (const node of req.nodes) {
    const ok = req.gatewayType === "embedded" ? /^https?:\/\/[^/\s]+\/?$/.test(node) : /^(unix:\/\/\/\S+|tcp:\/\/[^/\s]+:\d+)$/.test(node);
    if (!ok) throw new ImportError(`--node ${JSON.stringify(node)} is not a ${req.gatewayType === "embedded" ? "http:// or https:// admin URL" : "unix:///path or tcp://host:port runtime API address"}`, "bad-node", req.gatewayType === "embedded" ? "e.g. --node http://127.0.0.1:8081" : "e.g. --node unix:///run/haproxy/admin.sock");
  }
  checkOutputDir(req.outDir);
  const opened = openInput(req.input, req.limits ?? DEFAULT_LIMITS, req.from);
  if (req.truststore && opened.format !== "wso2-apictl") throw new ImportError(`--truststore goes with a WSO2 apictl export, and ${req.input} is a ${opened.format === "certform" ? "certform bundle" : "Apinizer export"}`, "usage", "leave --truststore out, or import the WSO2 export it belongs to");
  const truststore = req.truststore ? readTruststore(req.truststore, req.limits ?? DEFAULT_LIMITS) : undefined;
  const sourceEnvironment = chooseEnvironment(opened, req);
  const model = toModel(opened, sourceEnvironment, req.environment, req.mappings.map(([from]) => from), truststore);
  const csrs = model.certificates.filter((c) => c.csr).map((c) => `certificates.${c.name}`);
  if (csrs.length > 0 && req.gatewayType === "haproxy") model.notes.push(`${csrs.join(", ")}: an HAProxy gateway cannot make keys for signing requests, so plan refuses ${csrs.length === 1 ? "it" : "them"}; use an embedded gateway, or bring the certificate and its key (certificate: and key:)`);
  if (req.passphrase) checkKeys(model, req.passphrase);
  else if (model.certificates.some((c) => c.key?.kind === "encrypted" || c.generate?.issuerKey?.kind === "encrypted")) model.notes.push("CERTFORM_BUNDLE_PASSPHRASE is not set: the encrypted keys were not checked; set it before plan or apply");
  const stackName = req.name ?? model.stackName;
  const rendered = renderStack({ model, stackName, environment: req.environment, gateway: { type: req.gatewayType, nodes: req.nodes }, version: req.version });
  writeDirectory(req.outDir, rendered.files);
  return {
    format: opened.format,
    source: model.source,
    ...(sourceEnvironment !== undefined ? { sourceEnvironment } : {}),
    stackName,
    stackFile: join(req.outDir, rendered.stackFile),
    files: [...rendered.files.keys()].sort(),
    placeholders: rendered.placeholders,
    encryptedKeys: rendered.encryptedKeys,
    notes: model.notes,
    counts: { certificates: model.certificates.length, trustedCertificates: model.trusted.length, endpoints: model.endpoints.length, trustAssignments: model.trust.length, jwks: model.jwks.length },
  };
}

/** The environments an input holds, by name; several bundles of one environment are refused. */
function environmentsOf(opened: OpenedInput, req: ImportRequest): string[] {
  if (opened.format === "certform") {
    const seen = new Map<string, string>();
    for (const b of opened.bundles) {
      const env = b.manifest.source.environment;
      const first = seen.get(env);
      if (first !== undefined) throw new ImportError(`the input holds two bundles of environment ${env} (${first || "the input"} and ${b.label})`, "ambiguous-environment", "keep one bundle per environment in it");
      seen.set(env, b.label);
    }
    return [...seen.keys()].sort();
  }
  if (opened.format === "apinizer") return [...new Set(apinizerFiles([...opened.files.keys()], req.mappings.map(([f]) => f)).map((f) => f.environment).filter((e): e is string => e !== undefined))].sort();
  return [];
}

/**
 * The input's environment whose objects go to the target: the one --map-environment maps to it, else the
 * input's only one, else the one named like the target. An input that holds several, none of that name,
 * needs --map-environment: import does not guess.
 */
function chooseEnvironment(opened: OpenedInput, req: ImportRequest): string | undefined {
  const known = environmentsOf(opened, req);
  for (const [from, to] of req.mappings) {
    if (!known.includes(from)) throw new ImportError(`--map-environment ${from}=${to}: the input has no environment ${from}`, "unknown-environment", known.length ? `it holds: ${known.join(", ")}` : "this input names no environments: leave --map-environment out");
    if (to !== req.environment) throw new ImportError(`--map-environment ${from}=${to}: this import writes environment ${req.environment}`, "unknown-environment", `map to it (--map-environment ${from}=${req.environment}), or import once per environment`);
  }
  if (req.mappings.length > 1) throw new ImportError(`${req.mappings.length} environments map to ${req.environment}`, "ambiguous-environment", "map one environment of the input to the target; import once per environment");
  if (req.mappings.length === 1) return req.mappings[0]![0];
  if (known.length <= 1) return known[0];
  if (known.includes(req.environment)) return req.environment;
  const shown = (e: string) => (/^[A-Za-z0-9._-]+$/.test(e) ? e : JSON.stringify(e));
  throw new ImportError(
    `the input holds environments ${known.map(shown).join(", ")}, none of them named ${req.environment}`,
    "ambiguous-environment",
    `choose one with --map-environment FROM=${req.environment}, e.g. --map-environment ${/\s/.test(known[0]!) ? JSON.stringify(`${known[0]}=${req.environment}`) : `${known[0]}=${req.environment}`}`,
  );
}

/** The truststore's entries, its integrity checked with the passphrase; any problem refuses the import. */
function readTruststore(ts: { file: string; passphrase: string }, limits: ReadLimits): Keystore {
  const st = statSync(ts.file, { throwIfNoEntry: false });
  if (!st || !st.isFile()) throw new ImportError(`--truststore ${ts.file} ${st ? "is not a file" : "does not exist"}`, "not-found", "give the path of the truststore (client-truststore.jks)");
  if (st.size > limits.maxInputBytes) throw new ImportError(`--truststore ${ts.file} is larger than ${Math.round(limits.maxInputBytes / 1024 / 1024)} MiB`, "oversize", "give the truststore file itself");
  try {
    return decodeKeystore(readFileSync(ts.file), ts.file, ts.passphrase);
  } catch (err) {
    if (err instanceof MaterialError) throw new ImportError(err.message, err.code, err.code === "keystore-passphrase-required" ? "set the passphrase in a variable and name it with --passphrase-env VAR" : err.hint);
    throw err;
  }
}

function toModel(opened: OpenedInput, environment: string | undefined, target: string, known: string[], truststore?: Keystore): ImportModel {
  if (opened.format === "certform") {
    const bundle = opened.bundles.find((b) => b.manifest.source.environment === environment) ?? opened.bundles[0]!;
    return fromCertform(bundle.manifest, bundle.files, target);
  }
  if (opened.format === "wso2-apictl") return fromWso2(opened.files, truststore);
  return fromApinizer(opened.files, environment, known);
}

/** Every encrypted key must open with the passphrase and belong to its certificate, before anything is written. */
function checkKeys(model: ImportModel, passphrase: string): void {
  for (const c of model.certificates) {
    const pairs = [
      { key: c.key, pem: c.chainPem, what: "key" },
      { key: c.generate?.issuerKey, pem: c.generate?.issuerPem, what: "issuer key" },
    ];
    for (const { key, pem, what } of pairs) {
      if (key?.kind !== "encrypted" || !pem) continue;
      let opened;
      try {
        opened = decodePrivateKey(key.pem, passphrase);
      } catch {
        throw new ImportError(`CERTFORM_BUNDLE_PASSPHRASE does not open ${key.file} (the ${what} of certificates.${c.name})`, "bad-passphrase", "set CERTFORM_BUNDLE_PASSPHRASE to the passphrase the bundle was exported with");
      }
      if (!decodeCertificates(pem, { allowPrivateKey: false })[0]!.checkPrivateKey(opened)) throw new ImportError(`${key.file} does not belong to the certificate of certificates.${c.name}`, "key-mismatch", "export the bundle again");
    }
  }
}
