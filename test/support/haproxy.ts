import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { createRuntimeClient } from "../../src/providers/haproxy/runtime.js";

// Real HAProxy processes for tests. In the foreground (-db) HAProxy writes no pid file, so the process
// started here is the one stopped: by its pid, never by name.

export interface HaproxyProcess {
  pid: number;
  log: () => string;
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago (HAProxy's binds are configured, not port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Debian installs HAProxy in /usr/sbin, which a non-root PATH often lacks. */
export const HAPROXY = existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";

/** Starts `haproxy -db -f CONFIG` and resolves once its runtime API at `node` answers. */
export async function startHaproxy(config: string, node: string): Promise<HaproxyProcess> {
  const child: ChildProcess = spawn(HAPROXY, ["-db", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  let exited = false;
  child.once("error", (err) => (log += `${err.message} (install HAProxy: apt-get install -y haproxy)`));
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const client = createRuntimeClient(2000);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`haproxy exited at start:\n${log}`);
    try {
      if ((await client.send(node, "show info")).includes("Pid:")) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`haproxy's runtime API did not answer within 10 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    log: () => log,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await exit;
    },
  };
}
