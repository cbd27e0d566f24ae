import { haproxyConfig } from "../providers/haproxy/config-text.js";
import { layoutOf } from "../providers/haproxy/layout.js";
import { prepareDir } from "../providers/haproxy/prepare-dir.js";
import { readStack } from "../stack/index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import type { HaproxyConfigOptions } from "./haproxy.js";

export async function runHaproxyConfig(paths: string[], opts: HaproxyConfigOptions): Promise<ExitCode> {
  // No capture: the configuration needs the gateway settings and the endpoints, nothing from the network.
  // Nor policies: a rule a certificate breaks is plan's to refuse, not a reason to withhold the configuration.
  const stack = await readStack(paths, { requireGatewayEnv: true, capture: false, environments: [opts.env], checkPolicies: false });
  const errors = stack.diagnostics.filter((d) => d.severity === "error");
  const env = stack.state?.environments.find((e) => e.name === opts.env);
  if (!env || errors.length > 0) {
    for (const d of errors) process.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ""}\n`);
    process.stderr.write(`no HAProxy configuration: environment ${opts.env} could not be read from ${paths.join(", ")}\n`);
    return EXIT.error;
  }
  const gateway = env.spec.gateway;
  if (gateway.type !== "haproxy") {
    process.stderr.write(`environment ${opts.env} has a gateway of type ${gateway.type}, not haproxy\n  hint: certform haproxy config is for environments with gateway: { type: haproxy, … }\n`);
    return EXIT.error;
  }
  const node = opts.node ?? gateway.nodes[0];
  if (node === undefined || (opts.node !== undefined && !gateway.nodes.includes(opts.node))) {
    process.stderr.write(`${opts.node === undefined ? `environment ${opts.env} lists no nodes` : `--node ${opts.node} is not one of environment ${opts.env}'s nodes (${gateway.nodes.join(", ")})`}\n`);
    return EXIT.error;
  }
  const layout = layoutOf(gateway.dir, env.origin.baseDir);
  const endpoints = env.endpoints.map((e) => ({ name: e.name, url: e.spec.url, path: e.path }));
  let text: string;
  try {
    text = haproxyConfig({ environment: env.name, node, listen: gateway.listen, layout, endpoints, fragment: opts.fragment === true });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.error;
  }
  const created = await prepareDir(layout, endpoints.map((e) => e.name));
  for (const file of created) process.stderr.write(`created ${file}\n`);
  process.stdout.write(text);
  return EXIT.ok;
}
