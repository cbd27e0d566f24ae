#!/usr/bin/env node
// One command: `node examples/haproxy/run.mjs` (after `npm ci`, with HAProxy installed: apt-get install -y haproxy).
// Starts a self-signed HTTPS backend and a real HAProxy on free loopback ports in a scratch directory,
// prints the configuration certform generates, applies the stack through the runtime API, shows what
// HAProxy serves, and stops both (unless --keep). Nothing outside the scratch directory is touched.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, request } from "node:https";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const keep = process.argv.includes("--keep");
const haproxyBin = existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
if (spawnSync(haproxyBin, ["-v"]).error) {
  console.error("HAProxy is not installed: apt-get install -y haproxy (Debian bookworm has 2.6.12)");
  process.exit(1);
}
const { generateServerCertificate, certificatesToPem } = await import(join(repo, "dist", "x509", "index.js"));

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const run = mkdtempSync(join(tmpdir(), "certform-haproxy-example-"));
const [port, backendPort] = [await freePort(), await freePort()];
const env = { ...process.env, CERTFORM_HAPROXY_RUN: run, CERTFORM_HAPROXY_PORT: String(port), CERTFORM_HAPROXY_BACKEND_PORT: String(backendPort), NO_COLOR: "1" };
const certform = (...args) => {
  console.log(`\n$ certform ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [join(repo, "bin", "certform.js"), ...args], { env, encoding: "utf8" });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`certform ${args[0]} exited with ${r.status}`);
  return r.stdout;
};

// The backend: self-signed, so HAProxy answers 503 for /orders until the stack's trust reaches it.
const made = await generateServerCertificate({ hosts: ["127.0.0.1"], keyType: "ec-p256", validityDays: 365 });
writeFileSync(join(run, "orders-backend.pem"), certificatesToPem(made.chain));
const backend = createHttpsServer({ cert: certificatesToPem(made.chain), key: made.key.export({ type: "pkcs8", format: "pem" }) }, (req, res) => res.end(`orders backend: ${req.url}\n`));
await new Promise((r) => backend.listen(backendPort, "127.0.0.1", r));

const stack = join(here, "stack.yaml");
const config = certform("haproxy", "config", stack, "--env", "demo");
writeFileSync(join(run, "haproxy.cfg"), config);
const haproxy = spawn(haproxyBin, ["-db", "-f", join(run, "haproxy.cfg")], { stdio: ["ignore", "inherit", "inherit"] });
const stop = () => {
  haproxy.kill("SIGTERM");
  backend.close();
  haproxy.once("exit", () => rmSync(run, { recursive: true, force: true }));
};
try {
  await socketReady(join(run, "admin.sock"));
  console.log(`\nHAProxy ${haproxy.pid} runs with ${join(run, "haproxy.cfg")}`);
  certform("apply", stack, "--auto-approve");
  for (const host of ["shop.demo.test", "api.demo.test"]) console.log(`${host} → ${await servedSubject(host)}`);
  console.log(`GET https://shop.demo.test:${port}/orders/42 → ${await get("shop.demo.test", "/orders/42")}`);
  certform("plan", stack);
  if (keep) {
    console.log(`\nStill running. Try: curl -k --resolve shop.demo.test:${port}:127.0.0.1 https://shop.demo.test:${port}/orders/1`);
    console.log(`Environment for more certform commands: CERTFORM_HAPROXY_RUN=${run} CERTFORM_HAPROXY_PORT=${port} CERTFORM_HAPROXY_BACKEND_PORT=${backendPort}`);
    console.log("Ctrl-C stops HAProxy and the backend.");
    process.on("SIGINT", () => (stop(), process.exit(0)));
  } else stop();
} catch (err) {
  stop();
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

async function socketReady(path) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = createConnection(path, () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("HAProxy's runtime API did not come up");
}

function servedSubject(servername) {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }, () => {
      const cert = s.getPeerX509Certificate();
      resolve(`${cert.subject.replace(/\n/g, ", ")} (${cert.fingerprint256.slice(0, 23)}…)`);
      s.end();
    });
    s.on("error", reject);
  });
}

function get(servername, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, servername, headers: { host: servername }, rejectUnauthorized: false, agent: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve(`${res.statusCode} ${text.trim()}`));
    });
    req.on("error", reject);
    req.end();
  });
}
