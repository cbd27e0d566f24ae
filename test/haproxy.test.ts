import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { committedUsers, parseCrtList } from "../src/providers/haproxy/answers.js";
import { createRuntimeClient } from "../src/providers/haproxy/runtime.js";
import { certform } from "./support/cli.js";
import { handshake } from "./support/gateway.js";
import { freePort, HAPROXY, startHaproxy, type HaproxyProcess } from "./support/haproxy.js";
import { issue, tempDir, type Issued } from "./support/pki.js";
import { getVia } from "./support/tls-clients.js";

// The HAProxy provider against real HAProxy processes: a configuration from `certform haproxy config`,
// plan and apply through the runtime API, real handshakes per SNI, a backend that becomes trusted, a
// replacement under continuous handshakes, a restart, and each trap of HAProxy 2.6 the provider handles.

const run = promisify(execFile);
const rt = createRuntimeClient(5000);

let dir: string;
let node: string;
let port: number;
let haproxy: HaproxyProcess | undefined;
let backend: Server;
let backendPort: number;
let api: Issued;
let api2: Issued;
let web: Issued;
let backendCert: Issued;

interface StackShape {
  apiFile?: "api" | "api2";
  web?: boolean;
  trust?: boolean;
  extra?: string;
}

function stackText(s: StackShape = {}): string {
  return `apiVersion: certform/v1
kind: Stack
name: shop
environments:
  dev:
    gateway: { type: haproxy, nodes: ["${node}"], listen: "127.0.0.1:${port}", dir: ./haproxy }
certificates:
  api:
    certificate: { file: ${s.apiFile ?? "api"}.pem }
    key: { file: ${s.apiFile ?? "api"}.key }
    hosts: [api.test]
${
  s.web === false
    ? ""
    : `  web:
    certificate: { file: web.pem }
    key: { file: web.key }
`
}trustedCertificates:
  billing-ca:
    certificate: { file: backend.pem }
endpoints:
  billing: { url: "https://127.0.0.1:${backendPort}/v1", path: /billing }
${s.trust ? "trustAssignments:\n  billing-backend: { certificate: billing-ca, endpoint: billing }\n" : ""}${s.extra ?? ""}`;
}

async function writeStack(s: StackShape = {}): Promise<string> {
  const file = join(dir, "stack.yaml");
  await writeFile(file, stackText(s));
  return file;
}

const apply = async (s: StackShape = {}) => {
  const r = await certform(["apply", await writeStack(s), "--auto-approve"], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
};

const served = async (servername: string) => new X509Certificate((await handshake(port, servername)).raw).fingerprint256;

beforeAll(async () => {
  dir = await tempDir("certform-haproxy-");
  node = `unix://${join(dir, "admin.sock")}`;
  port = await freePort();
  [api, api2, web, backendCert] = await Promise.all([
    issue({ hosts: ["api.test", "alt.test"] }),
    issue({ hosts: ["api.test", "alt.test"] }),
    issue({ hosts: ["web.test"] }),
    issue({ hosts: ["127.0.0.1"] }),
  ]);
  await writeFile(join(dir, "api.pem"), api.pem);
  await writeFile(join(dir, "api.key"), api.keyPem);
  await writeFile(join(dir, "api2.pem"), api2.pem);
  await writeFile(join(dir, "api2.key"), api2.keyPem);
  // Blank lines inside and between PEM blocks: sent as they are, they would end the runtime API payload early.
  await writeFile(join(dir, "web.pem"), `\n${web.pem.replace("\n", "\n\n")}\n\n`);
  await writeFile(join(dir, "web.key"), web.keyPem);
  await writeFile(join(dir, "backend.pem"), backendCert.pem);
  backend = createServer({ cert: backendCert.pem, key: backendCert.keyPem }, (req, res) => res.end(`backend saw ${req.url}`));
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  backendPort = (backend.address() as AddressInfo).port;
});

afterAll(async () => {
  await haproxy?.stop();
  await new Promise((r) => backend?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("certform haproxy config", () => {
  it("prints a configuration haproxy -c accepts, and creates the files it loads", async () => {
    const r = await certform(["haproxy", "config", await writeStack(), "--env", "dev"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`stats socket ${join(dir, "admin.sock")} mode 600 level admin`);
    expect(r.stdout).toContain(`bind 127.0.0.1:${port} ssl crt-list ${join(dir, "haproxy", "crt-list.txt")} strict-sni`);
    // The trap of 2.6: a CA file commit reaches only servers with a client certificate.
    expect(r.stdout).toMatch(new RegExp(`server billing 127\\.0\\.0\\.1:${backendPort} .*ssl verify required ca-file \\S+/ca/billing\\.pem crt \\S+/client\\.pem`));
    expect(r.stderr).toContain("created");
    await writeFile(join(dir, "haproxy.cfg"), r.stdout);
    await run(HAPROXY, ["-c", "-f", join(dir, "haproxy.cfg")]);

    const fragment = await certform(["haproxy", "config", "stack.yaml", "--env", "dev", "--fragment"], { cwd: dir });
    expect(fragment.code).toBe(0);
    expect(fragment.stdout).not.toContain("global");
    expect(fragment.stdout).toContain("frontend certform_dev");
    expect(fragment.stderr).toBe("");
  });

  it("needs strict-sni: without it, HAProxy refuses to start on the empty crt-list", async () => {
    const text = (await readFile(join(dir, "haproxy.cfg"), "utf8")).replace(" strict-sni", "");
    await writeFile(join(dir, "no-strict.cfg"), text);
    const err = await run(HAPROXY, ["-c", "-f", join(dir, "no-strict.cfg")]).then(() => undefined, (e: { stderr: string }) => e);
    expect(err?.stderr).toMatch(/no SSL certificate specified for bind/);
  });

  it("is not withheld for a policy finding: the configuration holds no certificate and no trust, which plan and apply judge", async () => {
    const file = join(dir, "policy.yaml");
    await writeFile(file, stackText({ extra: "policies:\n  big-curves: { rule: keyTypes, allow: [ec-p384] }\n" }));
    const validate = await certform(["validate", "policy.yaml"], { cwd: dir });
    expect(validate.stdout).toContain("error[policy-keyTypes] certificates.api[dev]");
    expect(validate.code).toBe(1);
    const r = await certform(["haproxy", "config", "policy.yaml", "--env", "dev"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("frontend certform_dev");
    expect(r.stdout + r.stderr).not.toContain("policy");
  });

  it("refuses an environment whose gateway is not HAProxy", async () => {
    await writeFile(join(dir, "embedded.yaml"), 'apiVersion: certform/v1\nkind: Stack\nname: e\nenvironments:\n  dev:\n    gateway: { type: embedded, nodes: ["http://127.0.0.1:1"] }\n');
    const r = await certform(["haproxy", "config", "embedded.yaml", "--env", "dev"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not haproxy");
  });
});

describe("plan refuses what HAProxy cannot hold", () => {
  it("names JWKs, management-scope trust, client trust and default certificates for the environment", async () => {
    const extra = `jwks:\n  signing: { certificate: billing-ca }\n`;
    const file = join(dir, "unsupported.yaml");
    const text = stackText({ trust: true, extra })
      .replace("billing-backend: { certificate: billing-ca, endpoint: billing }", "billing-backend: { certificate: billing-ca, endpoint: billing }\n  idp: { certificate: billing-ca, scope: management }")
      .replace("    hosts: [api.test]", "    hosts: [api.test]\n    default: true");
    await writeFile(file, text);
    const r = await certform(["plan", file, "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    for (const what of ["jwks.signing[dev]", "trustAssignments.idp[dev]", "certificates.api[dev]"]) expect(r.stdout).toContain(what);
    expect(r.stdout).toContain("cannot hold JWKs");
    expect(r.stdout).toContain("management-scope trust");
    expect(r.stdout).toContain("default certificate");
  });
});

describe("a real HAProxy", () => {
  beforeAll(async () => {
    haproxy = await startHaproxy(join(dir, "haproxy.cfg"), node);
  });

  it("plan reads it at a revision; apply serves each SNI its declared certificate, keeping SNI filters", async () => {
    const plan = await certform(["plan", await writeStack(), "--format", "json"], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).summary).toMatchObject({ create: 4 });
    const r = await apply();
    expect(r.stdout).toContain("verified over TLS");
    expect(await served("api.test")).toBe(api.certificate.fingerprint256);
    expect(await served("web.test")).toBe(web.certificate.fingerprint256);
    // alt.test is a SAN of api's certificate but not one of its hosts: the crt-list entry's filter holds.
    await expect(handshake(port, "alt.test")).rejects.toThrow();
    const entries = parseCrtList(await rt.send(node, `show ssl crt-list -n ${join(dir, "haproxy", "crt-list.txt")}`));
    expect(entries.map((e) => e.filters)).toEqual([["api.test"], ["web.test"]]);
    expect(await readFile(join(dir, "haproxy", "crt-list.txt"), "utf8")).toContain("api.pem api.test\n");
    const again = await certform(["plan", "stack.yaml", "--detailed-exitcode"], { cwd: dir });
    expect(again.code, again.stdout).toBe(0);
  });

  it("proves why entries go in the payload form: the one-line `add ssl crt-list` drops the SNI filter", async () => {
    const list = join(dir, "haproxy", "crt-list.txt");
    const path = join(dir, "one-line.pem");
    expect(await rt.send(node, `new ssl cert ${path}`)).toContain("New empty certificate store");
    expect(await rt.send(node, `set ssl cert ${path}`, `${web.pem}${web.keyPem}`)).toContain("Transaction created");
    expect(await rt.send(node, `commit ssl cert ${path}`)).toContain("Success!");
    expect(await rt.send(node, `add ssl crt-list ${list} ${path} web.test`)).toContain("Success!");
    const entry = parseCrtList(await rt.send(node, `show ssl crt-list -n ${list}`)).find((e) => e.certificate === path)!;
    expect(entry.filters).toEqual([]);
    expect(await rt.send(node, `del ssl crt-list ${list} ${path}:${entry.line}`)).toContain("deleted");
    expect(await rt.send(node, `del ssl cert ${path}`)).toContain("deleted");
  });

  it("a backend with a self-signed certificate answers 503 until it is trusted, then 200", async () => {
    expect((await getVia(port, "api.test", "/billing/x")).status).toBe(503);
    await apply({ trust: true });
    const res = await getVia(port, "api.test", "/billing/x");
    expect(res).toEqual({ status: 200, body: "backend saw /v1/x" });
  });

  it("replaces a certificate under continuous handshakes without one failure", async () => {
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (!stop) {
        await handshake(port, "api.test").then(
          () => ok++,
          (err: Error) => failures.push(err.message),
        );
      }
    })();
    await apply({ trust: true, apiFile: "api2" });
    stop = true;
    await loop;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(await served("api.test")).toBe(api2.certificate.fingerprint256);
  });

  it("a restarted HAProxy serves the same, and plan finds nothing to do", async () => {
    await haproxy!.stop();
    haproxy = await startHaproxy(join(dir, "haproxy.cfg"), node);
    expect(await served("api.test")).toBe(api2.certificate.fingerprint256);
    expect(await served("web.test")).toBe(web.certificate.fingerprint256);
    expect((await getVia(port, "api.test", "/billing")).status).toBe(200);
    const plan = await certform(["plan", await writeStack({ trust: true, apiFile: "api2" }), "--detailed-exitcode"], { cwd: dir });
    expect(plan.code, plan.stdout).toBe(0);
    const bundle = await certform(["export", "stack.yaml", "--env", "dev", "--format", "json"], { cwd: dir });
    expect(bundle.code, bundle.stderr).toBe(0);
    expect(bundle.stdout).toContain(api2.certificate.fingerprint256);
    expect(bundle.stdout).not.toContain("PRIVATE KEY");
  });

  it("deletes a certificate: out of the crt-list first, since HAProxy refuses to delete one in use", async () => {
    const path = join(dir, "haproxy", "certs", "web.pem");
    expect(await rt.send(node, `del ssl cert ${path}`)).toContain("in use, can't be deleted");
    await apply({ trust: true, apiFile: "api2", web: false });
    await expect(handshake(port, "web.test")).rejects.toThrow();
    expect(await rt.send(node, "show ssl cert")).not.toContain(path);
    await expect(readFile(path)).rejects.toThrow();
  });

  it("aborts a certificate transaction a dead apply left open, instead of writing into it", async () => {
    const path = join(dir, "haproxy", "certs", (await readdirCerts())[0]!);
    expect(await rt.send(node, `set ssl cert ${path}`, `${api.pem}${api.keyPem}`)).toContain(`Transaction created for certificate ${path}`);
    await apply({ trust: true, apiFile: "api", web: false });
    expect(await rt.send(node, "show ssl cert")).not.toContain("# transaction");
    expect(await served("api.test")).toBe(api.certificate.fingerprint256);
  });

  it("changes a certificate's hosts in place: the new crt-list entry goes in before the old one goes", async () => {
    const file = await writeStack({ trust: true, apiFile: "api", web: false });
    await writeFile(file, (await readFile(file, "utf8")).replace("hosts: [api.test]", "hosts: [api.test, alt.test]"));
    const r = await certform(["apply", file, "--auto-approve"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("1 updated");
    expect(await served("alt.test")).toBe(api.certificate.fingerprint256);
    expect(await served("api.test")).toBe(api.certificate.fingerprint256);
    const entries = parseCrtList(await rt.send(node, `show ssl crt-list -n ${join(dir, "haproxy", "crt-list.txt")}`));
    expect(entries.map((e) => [...e.filters].sort())).toEqual([["alt.test", "api.test"]]);
    await apply({ trust: true, apiFile: "api", web: false });
    await expect(handshake(port, "alt.test")).rejects.toThrow();
  });

  it("shows an endpoint URL the running configuration does not have as a change, and apply says to regenerate the configuration", async () => {
    const file = await writeStack({ trust: true, apiFile: "api", web: false });
    await writeFile(file, (await readFile(file, "utf8")).replace(`127.0.0.1:${backendPort}/v1`, `127.0.0.1:${backendPort + 1}/v1`));
    const plan = await certform(["plan", file], { cwd: dir });
    expect(plan.stdout).toContain(`url: "https://127.0.0.1:${backendPort}/v1" → "https://127.0.0.1:${backendPort + 1}/v1"`);
    const r = await certform(["apply", file, "--auto-approve"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`does not connect to https://127.0.0.1:${backendPort + 1}/v1`);
    expect(r.stdout + r.stderr).toContain("certform haproxy config");
    // Nothing changed: the old URL still matches the stack as it was.
    await writeStack({ trust: true, apiFile: "api", web: false });
    expect((await certform(["plan", "stack.yaml", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("is locked by a file next to its data: another holder's lock refuses apply until force-unlock", async () => {
    const lock = { holder: "someone@elsewhere", purpose: "apply", since: new Date().toISOString(), expiresAt: new Date(Date.now() + 600_000).toISOString() };
    await writeFile(join(dir, "haproxy", "certform.lock"), JSON.stringify(lock));
    const r = await certform(["apply", await writeStack({ trust: true, apiFile: "api2", web: false }), "--auto-approve"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("someone@elsewhere");
    expect(await served("api.test")).toBe(api.certificate.fingerprint256);
    const unlock = await certform(["force-unlock", "dev", "stack.yaml"], { cwd: dir });
    expect(unlock.code, unlock.stdout + unlock.stderr).toBe(0);
    expect(unlock.stdout).toContain("released the lock of someone@elsewhere");
    await expect(readFile(join(dir, "haproxy", "certform.lock"))).rejects.toThrow();
  });

  it("refuses a stale plan: the revision is a digest of what HAProxy answers", async () => {
    const out = join(dir, "saved.plan");
    const plan = await certform(["plan", await writeStack({ trust: true, apiFile: "api2", web: false }), "--out", out], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    // Someone else changes the node in between.
    await apply({ trust: false, apiFile: "api", web: false });
    const r = await certform(["apply", out, "--auto-approve"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("the plan is stale and was not applied");
  });
});

describe("HAProxy 2.6's CA file commit", () => {
  it("reaches a server only if its server line has a client certificate (crt), which the generated configuration gives every one", async () => {
    const socket = `unix://${join(dir, "ca-trap.sock")}`;
    const placeholder = join(dir, "haproxy", "placeholder-ca.pem");
    await writeFile(join(dir, "without-crt.pem"), await readFile(placeholder));
    await writeFile(join(dir, "with-crt.pem"), await readFile(placeholder));
    const config = [
      "global",
      `    stats socket ${join(dir, "ca-trap.sock")} level admin`,
      "defaults",
      "    mode http",
      "    timeout connect 1s",
      "    timeout client 1s",
      "    timeout server 1s",
      "backend without_crt",
      `    server a 127.0.0.1:${backendPort} ssl verify required ca-file ${join(dir, "without-crt.pem")}`,
      "backend with_crt",
      `    server b 127.0.0.1:${backendPort} ssl verify required ca-file ${join(dir, "with-crt.pem")} crt ${join(dir, "haproxy", "client.pem")}`,
      "",
    ].join("\n");
    await writeFile(join(dir, "ca-trap.cfg"), config);
    const proc = await startHaproxy(join(dir, "ca-trap.cfg"), socket);
    try {
      const users: Record<string, number | undefined> = {};
      for (const name of ["without-crt", "with-crt"]) {
        const file = join(dir, `${name}.pem`);
        expect(await rt.send(socket, `set ssl ca-file ${file}`, backendCert.pem)).toContain(`transaction created for CA ${file}`);
        users[name] = committedUsers(await rt.send(socket, `commit ssl ca-file ${file}`), file);
      }
      // Both answer Success; only the server with `crt` was updated.
      expect(users).toEqual({ "without-crt": 0, "with-crt": 1 });
    } finally {
      await proc.stop();
    }
  });
});

async function readdirCerts(): Promise<string[]> {
  return (await readdir(join(dir, "haproxy", "certs"))).filter((f) => f.endsWith(".pem"));
}
