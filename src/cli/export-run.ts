import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { bundleJson, bundleZip } from "../bundle/bundle-file.js";
import { exportEnvironment, type ExportProblem } from "../bundle/export.js";
import { PASSPHRASE_VARIABLE } from "../bundle/stack-yaml.js";
import type { BundleManifest } from "../model/bundle.js";
import type { Diagnostic } from "../model/index.js";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor, writeJson } from "./options.js";
import { CERTFORM_VERSION } from "./version.js";

export interface ExportOptions {
  env?: string[];
  out?: string;
  all?: boolean;
  includePrivateKeys?: boolean;
  format: "zip" | "json";
  color?: boolean;
}

export { PASSPHRASE_VARIABLE };

/** certform export: read the environment's nodes through its stack, bundle, write. */
export async function runExport(paths: string[], opts: ExportOptions): Promise<ExitCode> {
  const json = opts.format === "json";
  const say = (s: string) => (json ? process.stderr : process.stdout).write(s);
  const refuse = (code: string, message: string, hint: string): ExitCode => {
    if (json) writeJson({ error: { code, message, hint } });
    say(`${colorsFor(opts, json ? process.stderr : process.stdout).red(`error[${code}]`)} ${message}\n  hint: ${hint}\n`);
    return EXIT.error;
  };
  const envs = opts.env ?? [];
  if (envs.length !== 1) return refuse("usage", `export takes exactly one --env, not ${envs.length}`, "export one environment per bundle");
  if (!json && !opts.out) return refuse("usage", "--out FILE is required for a ZIP bundle", "add --out bundle.zip, or --format json to print one JSON document");
  const passphrase = process.env[PASSPHRASE_VARIABLE];
  if (opts.includePrivateKeys && !passphrase) return refuse("passphrase-required", `--include-private-keys needs ${PASSPHRASE_VARIABLE}: keys leave only encrypted`, `set ${PASSPHRASE_VARIABLE} to a passphrase (never pass it as an argument), or leave the keys out`);

  const outcome = await exportEnvironment({ paths, environment: envs[0]!, all: opts.all === true, keys: opts.includePrivateKeys ? { passphrase: passphrase! } : {}, version: CERTFORM_VERSION });
  if (!outcome.ok) return failed(outcome.diagnostics, outcome.problems, opts, json);
  const { manifest, files } = outcome;
  const data = json ? Buffer.from(bundleJson(manifest, files), "utf8") : await bundleZip(manifest, files);
  if (opts.out) {
    if (existsSync(opts.out) && statSync(opts.out).isDirectory()) return refuse("out-is-directory", `--out ${opts.out} is a directory`, "give a file name, e.g. --out bundle.zip");
    if (!existsSync(dirname(resolve(opts.out)))) return refuse("out-directory-missing", `the directory of --out ${opts.out} does not exist`, "create it first, or write the bundle elsewhere");
    const tmp = `${opts.out}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, data, { mode: opts.includePrivateKeys ? 0o600 : 0o644 });
      renameSync(tmp, opts.out);
    } catch (err) {
      // Never leave a bundle (with encrypted keys, maybe) lying next to where it was meant to go.
      rmSync(tmp, { force: true });
      return refuse("out-unwritable", `cannot write ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, "check the path and its permissions");
    }
    if (json) writeJson({ ok: true, out: opts.out, stack: manifest.source.stack, environment: manifest.source.environment, objects: manifest.objects.length, missing: manifest.missing });
  } else process.stdout.write(data);
  say(summary(manifest, opts.out));
  return EXIT.ok;
}

export function summary(manifest: BundleManifest, out: string | undefined): string {
  const s = manifest.source;
  const n = manifest.objects.length;
  let text = `Exported ${n} object${n === 1 ? "" : "s"} of environment ${s.environment} (stack ${s.stack}, revision ${s.revision}${s.scope === "all" ? ", everything on the gateway" : ""})${out ? ` to ${out}` : ""}.\n`;
  const keys = manifest.objects.filter((o) => o.kind === "certificates" && o.key.status === "included").length;
  if (keys > 0) text += `${keys} key${keys === 1 ? "" : "s"} included, encrypted with ${PASSPHRASE_VARIABLE}.\n`;
  if (manifest.missing.length > 0) {
    text += "Not in the bundle (import turns missing keys into { env: CERTFORM_KEY_… } placeholders):\n";
    for (const m of manifest.missing) text += `  - ${m.what}: ${m.reason}\n`;
  }
  return text;
}

function failed(diagnostics: Diagnostic[], problems: ExportProblem[], opts: ExportOptions, json: boolean): ExitCode {
  const stream = json ? process.stderr : process.stdout;
  const c = colorsFor(opts, stream);
  if (json) writeJson({ error: { code: problems[0]?.code ?? "invalid-stack", message: problems[0]?.message ?? "the stack does not load: see errors", hint: problems[0]?.hint ?? "run certform validate" }, errors: [...diagnostics, ...problems] });
  let text = renderDiagnosticsText(diagnostics, c);
  for (const p of problems) text += `${c.red(`error[${p.code}]`)} ${p.message}\n  ${c.dim("hint:")} ${p.hint}\n`;
  stream.write(`${text}${c.red("Nothing was exported.")}\n`);
  return EXIT.error;
}
