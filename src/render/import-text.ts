import { escapeControl } from "../model/control-chars.js";
import { PASSPHRASE_VARIABLE } from "../model/bundle.js";
import { renderDiagnosticLine } from "./diagnostic-line.js";
import type { Palette } from "./palette.js";

/** What `certform import` wrote, as its summary reads it (src/bundle's ImportResult is one). */
export interface ImportSummaryView {
  format: "certform" | "wso2-apictl" | "apinizer";
  source: string;
  stackName: string;
  stackFile: string;
  files: readonly string[];
  placeholders: readonly { address: string; variable: string; what: string }[];
  encryptedKeys: readonly string[];
  notes: readonly string[];
  counts: Record<"certificates" | "trustedCertificates" | "endpoints" | "trustAssignments" | "jwks", number>;
}

const FORMATS: Record<ImportSummaryView["format"], string> = { certform: "certform bundle", "wso2-apictl": "WSO2 apictl export", apinizer: "Apinizer certificate export" };

/** Text from the input as it may reach a terminal: control characters (escape sequences) shown, not sent. */
const printable = escapeControl;

/** After import: what it made of the input, where it wrote, and what the user must still fill in. */
export function renderImportSummary(r: ImportSummaryView, to: { environment: string; out: string; nodes: number }): string {
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
  let text = `Imported ${printable(r.source)} (${FORMATS[r.format]}) as stack ${r.stackName}, environment ${to.environment}: ${parts.join(", ") || "nothing"}.\n`;
  text += `Wrote ${r.stackFile} and ${r.files.length - 1} file${r.files.length === 2 ? "" : "s"} under ${to.out}.\n`;
  if (to.nodes === 0) text += `The gateway lists no nodes yet: add the admin URL of every node of ${to.environment} (or import again with --node URL).\n`;
  for (const note of r.notes) text += `  note: ${printable(note)}\n`;
  if (r.encryptedKeys.length > 0) text += `Keys written encrypted (PKCS#8) under ${to.out}/keys/, opened with ${PASSPHRASE_VARIABLE}: ${r.encryptedKeys.join(", ")}\n`;
  if (r.placeholders.length > 0) {
    text += "Keys the bundle lacks: put each key's PEM text in its variable before plan or apply:\n";
    for (const p of r.placeholders) text += `  ${p.variable}  ${p.what} of ${p.address}\n`;
  }
  return text;
}

/** import refused the input or its options: nothing was written. */
export function renderImportRefusal(p: { code: string; message: string; hint: string }, c: Palette): string {
  return `${renderDiagnosticLine(p, c)}${c.red("Nothing was written.")}\n`;
}
