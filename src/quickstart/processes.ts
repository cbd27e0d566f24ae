import { spawn, type ChildProcess } from "node:child_process";
import { createServer as createHttpsServer, type Server } from "node:https";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { LOOPBACK, type QuickstartNode } from "./layout.js";

const BIN = fileURLToPath(new URL("../../bin/certform.js", import.meta.url));
const READY = /^certform gateway ready admin=(\S+) listen=(\S+)$/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** A problem to tell a new user in one or two lines, without a stack trace. */
export class QuickstartError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "QuickstartError";
  }
}

/** Fails naming every port that is taken, before anything is started. */
export async function assertPortsFree(ports: { port: number; what: string }[]): Promise<void> {
  const busy: { port: number; line: string }[] = [];
  for (const p of ports) {
    const problem = await tryListen(p.port);
    if (problem) busy.push({ port: p.port, line: `${LOOPBACK}:${p.port} (${p.what}): ${problem}` });
  }
  if (busy.length === 0) return;
  throw new QuickstartError(
    `${busy.length === 1 ? "a port the quickstart needs is" : "ports the quickstart needs are"} not free:\n${busy.map((b) => `  ${b.line}`).join("\n")}`,
    `another quickstart may be running (npm start -- --serve: Ctrl-C stops it), or a killed one left its nodes behind; lsof -nP -iTCP:${busy[0]!.port} -sTCP:LISTEN shows the process`,
  );
}

function tryListen(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE" ? "in use" : (err.code ?? err.message)));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Everything the quickstart started: gateway nodes (child processes, each in its own process group so that
 * a Ctrl-C on the terminal reaches the quickstart only, which then stops them in order) and the backend.
 */
export class Processes {
  private readonly children = new Map<string, ChildProcess>();
  private backend: Server | undefined;

  /** Starts `certform gateway start` for one node and resolves once it prints its ready line. */
  startNode(node: QuickstartNode, dataDir: string): Promise<void> {
    const args = [BIN, "gateway", "start", "--data", dataDir, "--admin", `${LOOPBACK}:${node.adminPort}`, "--listen", `${LOOPBACK}:${node.listenPort}`, "--environment", node.environment, "--node", node.name];
    const child = spawn(process.execPath, args, { detached: process.platform !== "win32", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    this.children.set(node.name, child);
    const output: string[] = [];
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => reject(new QuickstartError(`gateway node ${node.name} did not start within ${START_TIMEOUT_MS / 1000} s${tail(output)}`)), START_TIMEOUT_MS);
      const onData = (d: Buffer) => {
        for (const line of d.toString().split("\n")) {
          if (!line.trim()) continue;
          output.push(line);
          if (!ready && READY.test(line)) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(new QuickstartError(`gateway node ${node.name} could not be started: ${err.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (!ready) reject(new QuickstartError(`gateway node ${node.name} stopped before it was ready (${signal ?? `exit code ${code}`})${tail(output)}`));
      });
    });
  }

  /** The orders backend: HTTPS with its self-signed certificate, answering JSON. */
  startBackend(port: number, tls: { certPem: string; keyPem: string }): Promise<void> {
    const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      const body = JSON.stringify({ service: "orders", method: req.method, path: req.url, message: "hello from the orders backend" });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    this.backend = server;
    return new Promise((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => reject(new QuickstartError(`the orders backend could not listen on ${LOOPBACK}:${port}: ${err.code ?? err.message}`)));
      server.listen(port, LOOPBACK, () => resolve());
    });
  }

  /** Stops the nodes (SIGTERM, then SIGKILL after a grace period) and the backend; resolves when all are gone. */
  async stopAll(): Promise<void> {
    const backend = this.backend;
    this.backend = undefined;
    if (backend) {
      backend.closeAllConnections();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    }
    await Promise.all([...this.children.values()].map((child) => stopChild(child)));
    this.children.clear();
  }

  /** Signals every node still running, synchronously (for the process's exit). */
  killNow(signal: NodeJS.Signals): void {
    for (const child of this.children.values()) {
      if (running(child)) child.kill(signal);
    }
  }

  /** How many of the started processes (and the backend) are still running. */
  running(): number {
    return [...this.children.values()].filter(running).length + (this.backend ? 1 : 0);
  }
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** The node's last lines, indented, for a failure message. */
function tail(output: string[]): string {
  const last = output.slice(-5).filter((l) => !/^\s+at /.test(l));
  return last.length > 0 ? `:\n${last.map((l) => `  | ${l}`).join("\n")}` : "";
}
