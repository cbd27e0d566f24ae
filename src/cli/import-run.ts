import { ImportError } from "../bundle/import-model.js";
import { importBundle, type ImportResult } from "../bundle/import.js";
import { UnsafeBundleError } from "../bundle/limits.js";
import type { InputFormat } from "../bundle/open.js";
import { PASSPHRASE_VARIABLE } from "../bundle/stack-yaml.js";
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
    stream.write(`${c.red(`error[${code}]`)} ${message}\n  ${c.dim("hint:")} ${hint}\n${c.red("Nothing was written.")}\n`);
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
  let result: ImportResult;
  try {
    const passphrase = process.env[PASSPHRASE_VARIABLE];
    result = importBundle({ input: bundle, environment: opts.env, outDir: opts.out, mappings, nodes, gatewayType: opts.gatewayType, version: CERTFORM_VERSION, ...(opts.name ? { name: opts.name } : {}), ...(opts.from ? { from: opts.from } : {}), ...(passphrase ? { passphrase } : {}) });
  } catch (err) {
    if (err instanceof UnsafeBundleError) return refuse(err.code, err.message.replace(/; nothing was written$/, ""), err.code === "checksum-mismatch" ? "get the bundle again from its source; never import a bundle that was changed" : "this input is unsafe to unpack; get it again from its source");
    if (err instanceof ImportError) return refuse(err.code, err.message, err.hint);
    throw err;
  }
  if (json && !opts.apply) writeJson({ ok: true, ...result });
  else stream.write(report(result, opts, nodes.length));
  if (!opts.apply) return EXIT.ok;
  const { runApply } = await import("./apply-run.js");
  return runApply({ paths: [opts.out] }, { format: opts.format, color: opts.color !== false, env: [opts.env], autoApprove: opts.autoApprove === true, parallelism: opts.parallelism ?? "10", verify: true, prune: true }, "apply");
}

const FORMATS: Record<InputFormat, string> = { certform: "certform bundle", "wso2-apictl": "WSO2 apictl export", apinizer: "Apinizer certificate export" };

/** Text from the input as it may reach a terminal: control characters (escape sequences) shown, not sent. */
const printable = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);

function report(r: ImportResult, opts: ImportOptions, nodes: number): string {
  const n = r.counts;
  const parts = [
    [n.certificates, "certificate"],
    [n.trustedCertificates, "trusted certificate"],
    [n.endpoints, "endpoint"],
    [n.trustAssignments, "trust assignment"],
    [n.jwks, "JWK"],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, what]) => `${count} ${what}${count === 1 ? "" : "s"}`);
  let text = `Imported ${printable(r.source)} (${FORMATS[r.format]}) as stack ${r.stackName}, environment ${opts.env}: ${parts.join(", ") || "nothing"}.\n`;
  text += `Wrote ${r.stackFile} and ${r.files.length - 1} file${r.files.length === 2 ? "" : "s"} under ${opts.out}.\n`;
  if (nodes === 0) text += `The gateway lists no nodes yet: add the admin URL of every node of ${opts.env} (or import again with --node URL).\n`;
  for (const note of r.notes) text += `  note: ${printable(note)}\n`;
  if (r.encryptedKeys.length > 0) text += `Keys written encrypted (PKCS#8) under ${opts.out}/keys/, opened with ${PASSPHRASE_VARIABLE}: ${r.encryptedKeys.join(", ")}\n`;
  if (r.placeholders.length > 0) {
    text += "Keys the bundle lacks: put each key's PEM text in its variable before plan or apply:\n";
    for (const p of r.placeholders) text += `  ${p.variable}  ${p.what} of ${p.address}\n`;
  }
  return text;
}
