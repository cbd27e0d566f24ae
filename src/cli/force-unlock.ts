import { providerForEnvironment } from "../providers/for-environment.js";
import { readStack } from "../stack/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

export async function runForceUnlock(environment: string, paths: string[]): Promise<ExitCode> {
  const stack = await readStack(paths, { requireGatewayEnv: true, capture: false, environments: [environment] });
  const env = stack.state?.environments.find((e) => e.name === environment);
  if (!env) {
    for (const d of stack.diagnostics.filter((x) => x.severity === "error")) process.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.message}\n`);
    process.stderr.write(`no environment ${environment} could be read from ${paths.join(", ")}\n`);
    return EXIT.error;
  }
  const provider = providerForEnvironment(env);
  let failed = false;
  for (const node of env.spec.gateway.nodes) {
    try {
      const released = await provider.forceUnlock(node);
      process.stdout.write(released ? `${node}: released the lock of ${released.holder} (since ${released.since})\n` : `${node}: not locked\n`);
    } catch (err) {
      failed = true;
      process.stdout.write(`${node}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  provider.close?.();
  return failed ? EXIT.error : EXIT.ok;
}
