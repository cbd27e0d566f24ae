import { PASSPHRASE_VARIABLE, type BundleManifest } from "../model/bundle.js";
import type { Diagnostic } from "../model/index.js";
import { renderDiagnosticsText, renderProblemsText } from "./diagnostics-text.js";
import type { Palette } from "./palette.js";

/** After export: what the bundle holds, where it went, and what it lacks. */
export function renderExportSummary(manifest: BundleManifest, out: string | undefined): string {
  const s = manifest.source;
  const n = manifest.objects.length;
  const r = manifest.requests?.length ?? 0;
  const requests = r > 0 ? ` and ${r} pending signing request${r === 1 ? "" : "s"} (as settings: the target makes its own key and request)` : "";
  let text = `Exported ${n} object${n === 1 ? "" : "s"}${requests} of environment ${s.environment} (stack ${s.stack}${s.revision !== undefined ? `, revision ${s.revision}` : ""}${s.scope === "all" ? ", everything on the gateway" : ""})${out ? ` to ${out}` : ""}.\n`;
  const keys = manifest.objects.filter((o) => o.kind === "certificates" && o.key.status === "included").length;
  if (keys > 0) text += `${keys} key${keys === 1 ? "" : "s"} included, encrypted with ${PASSPHRASE_VARIABLE}.\n`;
  if (manifest.missing.length > 0) {
    // Keys that never leave the gateways (generated, or made for a CSR) get no placeholder: the target makes its own.
    const placeholders = manifest.objects.some((o) => o.kind === "certificates" && (o.key.status === "missing" || o.issuerKey?.status === "missing"));
    text += `Not in the bundle${placeholders ? " (import turns missing keys into { env: CERTFORM_KEY_… } placeholders)" : ""}:\n`;
    for (const m of manifest.missing) text += `  - ${m.what}: ${m.reason}\n`;
  }
  return text;
}

/** export could not read the environment: every diagnostic and problem, and that nothing was exported. */
export function renderExportFailureText(diagnostics: readonly Diagnostic[], problems: readonly { code: string; message: string; hint: string }[], c: Palette): string {
  return `${renderDiagnosticsText(diagnostics, c)}${renderProblemsText(problems, c)}${c.red("Nothing was exported.")}\n`;
}

/** After export-cert --out. */
export function renderExportCertWritten(w: { address: string; chain: number | undefined; format: "pem" | "der"; out: string; fingerprint256: string }): string {
  return `Wrote ${w.chain !== undefined ? `the chain (${w.chain} certificates)` : "the certificate"} of ${w.address} as ${w.format.toUpperCase()} to ${w.out} (SHA-256 ${w.fingerprint256}).\n`;
}
