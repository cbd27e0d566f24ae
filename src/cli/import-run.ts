import { ImportError } from "../bundle/import-model.js";
import { importBundle, type ImportResult } from "../bundle/import.js";
import { UnsafeBundleError } from "../bundle/limits.js";
import type { InputFormat } from "../bundle/open.js";
import { PASSPHRASE_VARIABLE } from "../model/bundle.js";
import { renderImportRefusal, renderImportSummary } from "../render/import-text.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson } from "./options.js";
import { CERTFORM_VERSION } from "./version.js";

export interface ImportOptions {
  env: string;
  out: string;
  mapEnvironment?: string[];
  node?: string[];
  gatewayType: string;
  name?: string;
  from?: InputFormat;
  apply?: boolean;
  autoApprove?: boolean;
  parallelism?: string;
  truststore?: string;
  passphraseEnv?: string;
  format: "text" | "json";
  color?: boolean;
}

/** certform import: check the input whole, write the stack, report what the user must fill in; --apply applies it. */
export async function runImport(bundle: string, opts: ImportOptions): Promise<ExitCode> {
  const json = opts.format === "json";
  const stream = json || opts.apply ? process.stderr : process.stdout;
  const c = colorsFor(opts, stream);
  const refuse = (code: string, message: string, hint: string): ExitCode => {
    if (json) writeJson({ ok: false, error: { code, message, hint } });
    stream.write(renderImportRefusal({ code, message, hint }, c));
    return EXIT.error;
  };
  const mappings: [string, string][] = [];
  for (const m of opts.mapEnvironment ?? []) {
    const eq = m.indexOf("=");
    if (eq <= 0 || eq === m.length - 1) return refuse("usage", `--map-environment ${m}: write FROM=TO`, `e.g. --map-environment test=${opts.env}`);
    mappings.push([m.slice(0, eq), m.slice(eq + 1)]);
  }
  const nodes = opts.node ?? [];
  if (opts.apply && nodes.length === 0) return refuse("usage", "--apply needs the target's nodes", "add --node URL for every node of the target environment");
  if (opts.passphraseEnv !== undefined && opts.truststore === undefined) return refuse("usage", "--passphrase-env is the truststore's passphrase, and no --truststore is given", "add --truststore FILE, or leave --passphrase-env out");
  let truststore: { file: string; passphrase: string } | undefined;
  if (opts.truststore !== undefined) {
    if (opts.passphraseEnv === undefined) return refuse("usage", "--truststore needs the truststore's passphrase", "put it in an environment variable and name it with --passphrase-env VAR (never as an argument)");
    const value = process.env[opts.passphraseEnv];
    if (!value) return refuse("passphrase-env-unset", `--passphrase-env names ${opts.passphraseEnv}, which is not set`, "set that variable to the truststore's passphrase before running import");
    truststore = { file: opts.truststore, passphrase: value };
  }
  let result: ImportResult;
  try {
    const passphrase = process.env[PASSPHRASE_VARIABLE];
    result = importBundle({ input: bundle, environment: opts.env, outDir: opts.out, mappings, nodes, gatewayType: opts.gatewayType, version: CERTFORM_VERSION, ...(opts.name ? { name: opts.name } : {}), ...(opts.from ? { from: opts.from } : {}), ...(passphrase ? { passphrase } : {}), ...(truststore ? { truststore } : {}) });
  } catch (err) {
    if (err instanceof UnsafeBundleError) return refuse(err.code, err.message.replace(/; nothing was written$/, ""), err.code === "checksum-mismatch" ? "get the bundle again from its source; never import a bundle that was changed" : "this input is unsafe to unpack; get it again from its source");
    if (err instanceof ImportError) return refuse(err.code, err.message, err.hint);
    throw err;
  }
  if (json && !opts.apply) writeJson({ ok: true, ...result });
  else stream.write(renderImportSummary(result, { environment: opts.env, out: opts.out, nodes: nodes.length }));
  if (!opts.apply) return EXIT.ok;
  const { runApply } = await import("./apply-run.js");
  return runApply({ paths: [opts.out] }, { format: opts.format, color: opts.color !== false, env: [opts.env], autoApprove: opts.autoApprove === true, parallelism: opts.parallelism ?? "10", verify: true, prune: true }, "apply");
}
