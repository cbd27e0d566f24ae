import { hostname } from "node:os";
import { Command, Option } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.js";

interface StartOptions {
  data: string;
  admin: string;
  listen: string;
  http?: string;
  environment: string;
  node?: string;
  tokenEnv?: string;
  adminCert?: string;
  adminKey?: string;
  systemCas: boolean;
}

/** "127.0.0.1:8081", "[::1]:0", ":8443" → host and port. */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new Error(`${what} "${text}" is not HOST:PORT (e.g. 127.0.0.1:8081; port 0 picks a free port)`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

export function registerGateway(program: Command, setExit: (code: ExitCode) => void): void {
  const gateway = program.command("gateway").description("run the embedded gateway");
  gateway
    .command("start")
    .description("run one node of an embedded gateway cluster until stopped (SIGINT/SIGTERM)")
    .requiredOption("--data <dir>", "where the node keeps its store")
    .option("--admin <host:port>", "admin API address (port 0: a free port)", "127.0.0.1:8081")
    .option("--listen <host:port>", "TLS data plane address (port 0: a free port)", "127.0.0.1:8443")
    .option("--http <host:port>", "plain HTTP listener that answers ACME http-01 challenges (port 0: a free port)")
    .option("--environment <name>", "the environment this node belongs to", "default")
    .option("--node <name>", "this node's name (default: host name and admin port)")
    .option("--token-env <var>", "require this environment variable's value as the admin bearer token")
    .option("--admin-cert <file>", "PEM certificate for an HTTPS admin API")
    .option("--admin-key <file>", "PEM key for an HTTPS admin API")
    .addOption(new Option("--system-cas", "also trust the system CAs for backends").default(false))
    .action(async (opts: StartOptions) => {
      const admin = parseHostPort(opts.admin, "--admin");
      const listen = parseHostPort(opts.listen, "--listen");
      const http = opts.http !== undefined ? parseHostPort(opts.http, "--http") : undefined;
      let token: string | undefined;
      if (opts.tokenEnv) {
        token = process.env[opts.tokenEnv];
        if (!token) throw new Error(`--token-env ${opts.tokenEnv}: that environment variable is not set`);
      }
      if (Boolean(opts.adminCert) !== Boolean(opts.adminKey)) throw new Error("--admin-cert and --admin-key go together");
      // Loaded here so that other commands do not pay for the gateway's modules at start-up.
      const { startNode } = await import("../gateway/node.js");
      const node = await startNode({
        dataDir: opts.data,
        admin,
        listen,
        ...(http ? { http } : {}),
        environment: opts.environment,
        node: opts.node ?? `${hostname()}:${admin.port}`,
        systemCas: opts.systemCas,
        ...(token ? { token } : {}),
        ...(opts.adminCert && opts.adminKey ? { adminTls: { certFile: opts.adminCert, keyFile: opts.adminKey } } : {}),
      });
      process.stdout.write(`certform gateway ready admin=${node.adminUrl} listen=${node.listenUrl}${node.httpUrl ? ` http=${node.httpUrl}` : ""}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void node.close().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      setExit(EXIT.ok);
    });
}
