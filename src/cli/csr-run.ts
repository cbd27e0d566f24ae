import { writeFileSync } from "node:fs";
import { LABEL } from "../model/index.js";
import { providerForEnvironment } from "../providers/for-environment.js";
import { ProviderError } from "../providers/provider.js";
import { renderDiagnosticLine } from "../render/diagnostic-line.js";
import { renderDiagnosticsText } from "../render/diagnostics-text.js";
import { readStack } from "../stack/index.js";
import { addressInOneEnvironment } from "./address-env.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { colorsFor } from "./options.js";

export interface CsrOptions {
  env?: string[];
  out?: string;
  color?: boolean;
}

/**
 * certform csr: the PKCS#10 request the gateways of an environment made for a certificate an outside CA
 * signs (generate: { csr }), as PEM. Only the request: its key stays on the gateways.
 */
export async function runCsr(addressText: string, paths: string[], opts: CsrOptions): Promise<ExitCode> {
  const c = colorsFor(opts, process.stderr);
  const refuse = (code: string, message: string, hint: string): ExitCode => {
    process.stderr.write(renderDiagnosticLine({ code, message, hint }, c));
    return EXIT.error;
  };
  const target = addressInOneEnvironment(addressText, opts.env, ["certificates"], "certificates.api --env prod");
  if ("refused" in target) return refuse(target.refused.code, target.refused.message, target.refused.hint);
  const { address, environment } = target;

  const read = await readStack(paths, { environments: [environment], requireGatewayEnv: true });
  const env = read.state?.environments.find((e) => e.name === environment);
  if (!read.state || !env || read.diagnostics.some((d) => d.severity === "error")) {
    if (read.state && !env && !read.diagnostics.some((d) => d.severity === "error")) return refuse("unknown-environment", `environment ${environment} is not declared`, "give one of the stack's environments with --env");
    process.stderr.write(renderDiagnosticsText(read.diagnostics, c));
    return EXIT.error;
  }
  const inst = env.certificates.find((i) => i.name === address.name);
  const wanted = `certificates.${address.name}[${environment}]`;
  if (!inst) return refuse("not-declared", `${wanted} is not declared`, "name a certificate of the stack, and an environment it is declared in (--env)");
  if (!inst.spec.generate?.csr) return refuse("not-csr", `${wanted} is not declared with generate: { csr }, so the gateways hold no signing request for it`, "declare generate: { csr: { hosts: [...] } } and run certform apply first");

  const provider = providerForEnvironment(env);
  try {
    if (!provider.requests) return refuse("unsupported", `the ${provider.kind} gateway of environment ${environment} makes no keys for signing requests`, "use an embedded gateway for certificates declared with generate: { csr }");
    for (const node of env.spec.gateway.nodes) {
      const live = await provider.read(node);
      const request = live.requests?.find((r) => r.labels[LABEL.stack] === read.state!.stack && r.labels[LABEL.address] === wanted);
      if (!request) continue;
      const got = await provider.requests.csr(node, request.name);
      if (!got) continue;
      if (opts.out) {
        try {
          writeFileSync(opts.out, got.csr);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          return code === "ENOENT"
            ? refuse("out-directory-missing", `the directory of --out ${opts.out} does not exist`, "create it first, or write the request elsewhere")
            : refuse("out-unwritable", `--out ${opts.out} cannot be written (${code ?? String(err)})`, "give a path you can write, or leave --out out to print the request");
        }
        process.stderr.write(`wrote the certificate signing request of ${wanted} (key SHA-256 ${got.keyFingerprint256}) to ${opts.out}\n`);
      } else process.stdout.write(got.csr);
      return EXIT.ok;
    }
    return refuse("csr-not-pending", `no node of environment ${environment} holds a pending signing request for ${wanted}`, "run certform apply: it has the gateways make the key and request (and a new one once the certificate is inside renewBefore)");
  } catch (err) {
    if (err instanceof ProviderError) return refuse(err.code, `${environment}: ${err.message}`, err.hint ?? "check that the node runs and the stack's gateway settings");
    throw err;
  } finally {
    provider.close?.();
  }
}
