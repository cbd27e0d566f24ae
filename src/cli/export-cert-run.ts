import { writeFileSync } from "node:fs";
import { readEnvironment } from "../bundle/export.js";
import { LABEL } from "../model/index.js";
import { addressInOneEnvironment } from "./address-env.js";
import { renderDiagnosticLine } from "../render/diagnostic-line.js";
import { renderDiagnosticsText, renderProblemsText } from "../render/diagnostics-text.js";
import { renderExportCertWritten } from "../render/export-text.js";
import { certificatesToPem, decodeCertificates } from "../x509/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor } from "./options.js";

export interface ExportCertOptions {
  env?: string[];
  format: "pem" | "der";
  chain?: boolean;
  out?: string;
  color?: boolean;
}

/** certform export-cert: one certificate (or its chain) as the gateway serves it, as PEM or DER. */
export async function runExportCert(addressText: string, paths: string[], opts: ExportCertOptions): Promise<ExitCode> {
  const c = colorsFor(opts, process.stderr);
  const refuse = (code: string, message: string, hint: string): ExitCode => {
    process.stderr.write(renderDiagnosticLine({ code, message, hint }, c));
    return EXIT.error;
  };
  const target = addressInOneEnvironment(addressText, opts.env, ["certificates", "trustedCertificates"], "certificates.api or trustedCertificates.billing-ca[prod]");
  if ("refused" in target) return refuse(target.refused.code, target.refused.message, target.refused.hint);
  const { address } = target;
  const envs = [target.environment];
  if (opts.format === "der" && opts.chain) return refuse("usage", "a DER file holds one certificate: --chain needs --format pem", "drop --chain, or use --format pem");
  if (opts.format === "der" && !opts.out && process.stdout.isTTY) return refuse("usage", "DER is binary: not written to a terminal", "add --out FILE");

  const read = await readEnvironment(paths, envs[0]!);
  if (!read.ok) {
    process.stderr.write(renderDiagnosticsText(read.diagnostics, c) + renderProblemsText(read.problems, c));
    return EXIT.error;
  }
  const collection = address.kind === "certificates" ? "certificates" : "trusted";
  const objects = read.nodes[0]!.objects.filter((o) => o.collection === collection);
  const wanted = `${address.kind}.${address.name}[${envs[0]}]`;
  const found =
    objects.find((o) => o.labels[LABEL.stack] === read.stack && o.labels[LABEL.address] === wanted) ??
    objects.find((o) => (collection === "trusted" ? o.name.toLowerCase() === address.name.toLowerCase() : o.name === address.name));
  if (!found) return refuse("not-found", `environment ${envs[0]} has no ${address.kind === "certificates" ? "certificate" : "trusted certificate"} ${address.name} on its gateway`, "run plan to see what the gateway holds, or apply first");
  const chain = decodeCertificates(String(found.fields.chain ?? found.fields.certificate ?? ""), { allowPrivateKey: false });
  const data = opts.format === "der" ? Buffer.from(chain[0]!.raw) : Buffer.from(certificatesToPem(opts.chain ? chain : chain[0]!), "utf8");
  if (opts.out) {
    writeFileSync(opts.out, data);
    process.stderr.write(renderExportCertWritten({ address: wanted, chain: opts.chain ? chain.length : undefined, format: opts.format, out: opts.out, fingerprint256: chain[0]!.fingerprint256 }));
  } else process.stdout.write(data);
  return EXIT.ok;
}
