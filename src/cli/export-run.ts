import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { bundleJson, bundleZip } from "../bundle/bundle-file.js";
import { exportEnvironment, type ExportProblem } from "../bundle/export.js";
import { PASSPHRASE_VARIABLE } from "../model/bundle.js";
import type { Diagnostic } from "../model/index.js";
import { renderDiagnosticLine } from "../render/diagnostic-line.js";
import { renderExportFailureText, renderExportSummary } from "../render/export-text.js";
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

/** certform export: read the environment's nodes through its stack, bundle, write. */
export async function runExport(paths: string[], opts: ExportOptions): Promise<ExitCode> {
  const json = opts.format === "json";
  const stream = json ? process.stderr : process.stdout;
  const say = (s: string) => stream.write(s);
  const refuse = (code: string, message: string, hint: string): ExitCode => {
    if (json) writeJson({ error: { code, message, hint } });
    say(renderDiagnosticLine({ code, message, hint }, colorsFor(opts, stream)));
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
    if (json) writeJson({ ok: true, out: opts.out, stack: manifest.source.stack, environment: manifest.source.environment, objects: manifest.objects.length, requests: manifest.requests?.length ?? 0, missing: manifest.missing });
  } else process.stdout.write(data);
  say(renderExportSummary(manifest, opts.out));
  return EXIT.ok;
}

function failed(diagnostics: Diagnostic[], problems: ExportProblem[], opts: ExportOptions, json: boolean): ExitCode {
  if (json) writeJson({ error: { code: problems[0]?.code ?? "invalid-stack", message: problems[0]?.message ?? "the stack does not load: see errors", hint: problems[0]?.hint ?? "run certform validate" }, errors: [...diagnostics, ...problems] });
  const stream = json ? process.stderr : process.stdout;
  stream.write(renderExportFailureText(diagnostics, problems, colorsFor(opts, stream)));
  return EXIT.error;
}
