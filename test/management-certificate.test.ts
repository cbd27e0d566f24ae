// The admin plane's own certificate (`managementCertificate:`): apply swaps what every node's HTTPS admin API
// serves, live, while a client keeps calling that API with verification on; certform trusts the nodes by the
// declared certificate's chain (never by skipping verification); a restarted node serves what was declared.
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform } from "./support/cli.js";
import { handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";

const TOKEN = "management-test-token";
let dir: string;
let ca1: Issued;
let ca2: Issued;
let nodes: GatewayProcess[] = [];
let adminFiles: { cert: string; key: string };

const portOf = (url: string) => Number(new URL(url).port);

function stackText(opts: { management?: string; nodes?: string[] } = {}): string {
  return `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  prod:
    gateway:
      type: embedded
      nodes: [${(opts.nodes ?? nodes.map((n) => n.admin)).map((u) => JSON.stringify(u)).join(", ")}]
      token: \${env:CERTFORM_PROD_TOKEN}
      caFile: ca1.pem
${opts.management ?? ""}certificates:
  api:
    certificate: { file: api.pem }
    key: { file: api.key }
`;
}

const MANAGEMENT = `    managementCertificate:
      certificate: { file: admin.pem }
      chain: { file: ca2.pem }
      key: { file: admin.key }
`;

const run = (args: string[]) => certform(args, { cwd: dir, env: { ...process.env, CERTFORM_PROD_TOKEN: TOKEN, NO_COLOR: "1" } });

/** GET /v1/status over HTTPS on a new connection, verifying the node against `ca` (both CAs during the swap). */
function status(admin: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${admin}/v1/status`, { ca, agent: false, headers: { authorization: `Bearer ${TOKEN}` }, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(String((res.socket as import("node:tls").TLSSocket).getPeerX509Certificate?.()?.fingerprint256 ?? "")) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

let initial: Issued;
let admin: Issued;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "certform-management-"));
  [ca1, ca2] = await Promise.all([makeCa({ subject: "CN=Old Admin CA" }), makeCa({ subject: "CN=New Admin CA" })]);
  [initial, admin] = await Promise.all([issue({ issuer: ca1, hosts: ["127.0.0.1"] }), issue({ issuer: ca2, hosts: ["127.0.0.1", "localhost"] })]);
  const api = await issue({ issuer: ca2, hosts: ["api.example.com"] });
  const files: Record<string, string> = {
    "ca1.pem": ca1.pem,
    "ca2.pem": ca2.pem,
    "initial.pem": toPem([initial.certificate, ca1.certificate]),
    "initial.key": initial.keyPem,
    "admin.pem": admin.pem,
    "admin.key": admin.keyPem,
    "api.pem": api.pem,
    "api.key": api.keyPem,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  adminFiles = { cert: join(dir, "initial.pem"), key: join(dir, "initial.key") };
  nodes = await Promise.all(
    ["node-1", "node-2"].map((node) => startGateway({ node, environment: "prod", token: TOKEN, extraArgs: ["--admin-cert", adminFiles.cert, "--admin-key", adminFiles.key] })),
  );
}, 60_000);
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

describe("managementCertificate: the certificate of the nodes' admin API", () => {
  it("is swapped live on every node by apply while a client keeps calling the admin API with verification on", async () => {
    writeFileSync(join(dir, "stack.yaml"), stackText({ management: MANAGEMENT }));
    expect(nodes.every((n) => n.admin.startsWith("https://"))).toBe(true);

    const plan = await run(["plan", "stack.yaml"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("environments.prod.managementCertificate");

    const both = `${ca1.pem}${ca2.pem}`;
    let stop = false;
    let calls = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const loop = async (admin: string) => {
      while (!stop) {
        try {
          seen.add(await status(admin, both));
          calls++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = nodes.map((n) => loop(n.admin));
    const apply = await run(["apply", "stack.yaml", "--auto-approve"]);
    stop = true;
    await Promise.all(loops);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(4);
    expect(seen).toEqual(new Set([initial.certificate.fingerprint256, admin.certificate.fingerprint256]));

    for (const n of nodes) {
      expect((await handshake(portOf(n.admin), undefined)).fingerprint256).toBe(admin.certificate.fingerprint256);
      // Only the new CA is needed now: the node is trusted by the declared certificate's chain.
      expect(await status(n.admin, ca2.pem)).toBe(admin.certificate.fingerprint256);
      // The data plane never serves it.
      expect((await handshake(n.listenPort, "api.example.com")).fingerprint256).not.toBe(admin.certificate.fingerprint256);
    }
    expect(apply.stdout + apply.stderr).not.toContain("BEGIN PRIVATE KEY");
  }, 90_000);

  it("is verified over TLS on the admin API, and a second plan shows no changes", async () => {
    const verify = await run(["verify", "stack.yaml"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const plan = await run(["plan", "stack.yaml", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/No changes/i);
  }, 60_000);

  it("is served again by a node restarted with its old --admin-cert files", async () => {
    const old = nodes[0]!;
    await old.stop();
    nodes[0] = await startGateway({ dataDir: old.dataDir, node: "node-1", environment: "prod", token: TOKEN, admin: `127.0.0.1:${portOf(old.admin)}`, extraArgs: ["--admin-cert", adminFiles.cert, "--admin-key", adminFiles.key] });
    expect((await handshake(portOf(nodes[0].admin), undefined)).fingerprint256).toBe(admin.certificate.fingerprint256);
    const verify = await run(["verify", "stack.yaml"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 60_000);

  it("refuses an admin URL over plain HTTP and a certificate that does not cover the nodes' host, at their place", async () => {
    writeFileSync(join(dir, "http.yaml"), stackText({ management: MANAGEMENT, nodes: ["http://127.0.0.1:1"] }));
    const http = await run(["validate", "http.yaml", "--format", "json"]);
    expect(http.code).toBe(1);
    const httpError = JSON.parse(http.stdout).errors.find((e: { code: string }) => e.code === "management-needs-https");
    expect(httpError).toMatchObject({ address: "environments.prod.managementCertificate", line: 8 });
    expect(httpError.hint).toContain("--admin-cert");

    const other = await issue({ issuer: ca2, hosts: ["admin.example.com"] });
    writeFileSync(join(dir, "other.pem"), other.pem);
    writeFileSync(join(dir, "other.key"), other.keyPem);
    writeFileSync(join(dir, "uncovered.yaml"), stackText({ management: MANAGEMENT.replace("admin.pem", "other.pem").replace("admin.key", "other.key") }));
    const uncovered = await run(["validate", "uncovered.yaml", "--format", "json"]);
    expect(uncovered.code).toBe(1);
    const error = JSON.parse(uncovered.stdout).errors.find((e: { code: string; address?: string }) => e.address === "environments.prod.managementCertificate");
    expect(error?.message).toContain("127.0.0.1");

    // A certificate whose CA certform would not know after the swap: refused before any node is touched.
    const ca3 = await makeCa({ subject: "CN=Unknown Admin CA" });
    const stranger = await issue({ issuer: ca3, hosts: ["127.0.0.1"] });
    writeFileSync(join(dir, "stranger.pem"), stranger.pem);
    writeFileSync(join(dir, "stranger.key"), stranger.keyPem);
    writeFileSync(join(dir, "untrusted.yaml"), stackText({ management: MANAGEMENT.replace("admin.pem", "stranger.pem").replace("admin.key", "stranger.key").replace("      chain: { file: ca2.pem }\n", "") }));
    const untrusted = await run(["plan", "untrusted.yaml", "--format", "json"]);
    expect(untrusted.code).toBe(1);
    const refused = JSON.parse(untrusted.stdout).errors.find((e: { code: string }) => e.code === "management-untrusted");
    expect(refused.message).toContain("CN=Unknown Admin CA");
    expect(refused.hint).toContain("caBundle");
    writeFileSync(join(dir, "ca3.pem"), ca3.pem);
    writeFileSync(join(dir, "bundled.yaml"), stackText({ management: MANAGEMENT.replace("admin.pem", "stranger.pem").replace("admin.key", "stranger.key").replace("chain: { file: ca2.pem }", "caBundle: { file: ca3.pem }") }));
    const bundled = await run(["validate", "bundled.yaml"]);
    expect(bundled.code, bundled.stdout + bundled.stderr).toBe(0);
  }, 60_000);
});
