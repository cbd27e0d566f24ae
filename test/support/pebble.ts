/**
 * Pebble, the ACME test CA (Debian package `pebble`), with pebble-challtestsrv as its DNS resolver that
 * points every name at 127.0.0.1: both started on free loopback ports, torn down by stop(). Pebble's VA
 * checks http-01 on `httpPort` and tls-alpn-01 on `tlsPort`, which the tests point at gateway listeners.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import { issue, makeCa } from "./pki.js";
import { readyLine } from "./ready-line.js";

export interface Pebble {
  /** The ACME directory URL. */
  directory: string;
  /** PEM of the CA that signs Pebble's own HTTPS certificate (the stack's acme.caBundle). */
  apiCaFile: string;
  /** PEM of the root Pebble issues under; a new one at every start. */
  root(): Promise<string>;
  /** Points `host` at `ip` in challtestsrv's DNS (e.g. an address where nothing listens). */
  addA(host: string, ip: string): Promise<void>;
  output: string[];
  stop(): Promise<void>;
}

/** Fails with what to install when Pebble is missing: the ACME tests never skip silently. */
export function requirePebble(): void {
  for (const bin of ["pebble", "pebble-challtestsrv"]) {
    if (spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0) {
      throw new Error(`${bin} is not installed: the ACME tests run against Pebble. Install it with \`apt-get install -y pebble\` (.ci/run does this when it is missing).`);
    }
  }
}

/** A port free for TCP (and for UDP too when `udp`), on 127.0.0.1. */
export async function freePort(udp = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createSocket("udp4");
      sock.once("error", () => resolve(false));
      sock.bind(port, "127.0.0.1", () => sock.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

async function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, output: string[]): Promise<ChildProcess> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  await readyLine(child, ready, output, cmd, `${cmd}: `);
  return child;
}

const stopProcess = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

export async function startPebble(dir: string, ports: { httpPort: number; tlsPort: number }): Promise<Pebble> {
  requirePebble();
  const output: string[] = [];
  const apiCa = await makeCa({ subject: "CN=Pebble API test CA" });
  const apiCert = await issue({ hosts: ["127.0.0.1", "localhost"], issuer: apiCa, validityDays: 2 });
  const apiCaFile = join(dir, "pebble-api-ca.pem");
  writeFileSync(apiCaFile, apiCa.pem);
  writeFileSync(join(dir, "pebble-api.pem"), apiCert.pem);
  writeFileSync(join(dir, "pebble-api.key"), apiCert.keyPem, { mode: 0o600 });

  const dns = await freePort(true);
  const challMgmt = await freePort();
  const acmePort = await freePort();
  const mgmtPort = await freePort();
  // Pebble dials ::1 only when a name has an AAAA record; challtestsrv's own challenge listeners would
  // answer in place of the gateway's, so they are off.
  const chall = await startProcess(
    "pebble-challtestsrv",
    ["-management", `127.0.0.1:${challMgmt}`, "-dns01", `127.0.0.1:${dns}`, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-http01", "", "-https01", "", "-tlsalpn01", ""],
    {},
    /Starting management server/,
    output,
  );
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: join(dir, "pebble-api.pem"),
      privateKey: join(dir, "pebble-api.key"),
      httpPort: ports.httpPort,
      tlsPort: ports.tlsPort,
      ocspResponderURL: "",
      externalAccountBindingRequired: false,
    },
  };
  writeFileSync(join(dir, "pebble-config.json"), JSON.stringify(config));
  let pebble: ChildProcess;
  try {
    pebble = await startProcess(
      "pebble",
      ["-config", join(dir, "pebble-config.json"), "-dnsserver", `127.0.0.1:${dns}`],
      // No random sleeps, no reused authorizations, no rejected nonces: every order is checked afresh, at once.
      { PEBBLE_VA_NOSLEEP: "1", PEBBLE_AUTHZREUSE: "0", PEBBLE_WFE_NONCEREJECT: "0" },
      /ACME directory available/,
      output,
    );
  } catch (err) {
    await stopProcess(chall);
    throw err;
  }
  const agent = new Agent({ ca: apiCa.pem });
  const get = async (path: string): Promise<string> => {
    const { request } = await import("node:https");
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: mgmtPort, path, agent }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`GET ${path}: ${res.statusCode} ${text}`))));
      });
      req.once("error", reject);
      req.end();
    });
  };
  return {
    directory: `https://127.0.0.1:${acmePort}/dir`,
    apiCaFile,
    root: () => get("/roots/0"),
    async addA(host, ip) {
      const res = await fetch(`http://127.0.0.1:${challMgmt}/add-a`, { method: "POST", body: JSON.stringify({ host, addresses: [ip] }) });
      if (!res.ok) throw new Error(`challtestsrv add-a: ${res.status}`);
    },
    output,
    async stop() {
      agent.destroy();
      await Promise.all([stopProcess(pebble), stopProcess(chall)]);
    },
  };
}
