import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplyReportSchema } from "../src/model/apply-report.js";
import { VerifyReportSchema } from "../src/model/verify-report.js";
import { certform } from "./support/cli.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// `certform verify` and apply's verification against real gateway processes: two nodes of one environment,
// an RSA host beside an EC default (the mix TLS 1.3 clients used to get wrong), a JWK and an endpoint's trust.
// Then the nodes are made to serve something else than the stack declares, in ways plan cannot see.

let ca: Issued;
let shop: Issued;
let www: Issued;
let intruder: Issued;
let nodes: GatewayProcess[] = [];
let dir: string;

const fp = (c: Issued) => c.certificate.fingerprint256;
const expectNoKeyEcho = (text: string) => {
  for (const k of [shop, www, intruder]) expect(keyEchoes(text, secretOf(k.key))).toEqual([]);
};

function stackYaml(gws: GatewayProcess[]): string {
  return `apiVersion: certform/v1
kind: Stack
name: shop
environments:
  prod:
    gateway: { type: embedded, nodes: [${gws.map((g) => JSON.stringify(g.admin)).join(", ")}] }
certificates:
  shop:
    certificate: { file: shop.pem }
    key: { file: shop.key }
  www:
    default: true
    certificate: { file: www.pem }
    key: { file: www.key }
trustedCertificates:
  backend-ca:
    certificate: { file: ca.pem }
endpoints:
  orders:
    url: "https://127.0.0.1:9/orders"
trustAssignments:
  orders-backend: { certificate: backend-ca, endpoint: orders }
jwks:
  backend-signing: { certificate: backend-ca, use: sig }
`;
}

function tls13Leaf(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, minVersion: "TLSv1.3" }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.end();
    });
    s.on("error", reject);
  });
}

beforeAll(async () => {
  ca = await makeCa();
  [shop, www, intruder] = await Promise.all([
    issue({ issuer: ca, hosts: ["shop.example.com"], keyType: "rsa-2048" }),
    issue({ issuer: ca, hosts: ["www.example.com"], keyType: "ec-p256" }),
    issue({ issuer: ca, hosts: ["shop.example.com"], keyType: "ec-p256" }),
  ]);
  nodes = await Promise.all([startGateway({ environment: "prod", node: "a" }), startGateway({ environment: "prod", node: "b" })]);
  dir = writeStackDir({
    "stack.yaml": stackYaml(nodes),
    "shop.pem": toPem([shop.certificate, ca.certificate]),
    "shop.key": shop.keyPem,
    "www.pem": toPem([www.certificate, ca.certificate]),
    "www.key": www.keyPem,
    "ca.pem": ca.pem,
  });
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

describe("certform verify", () => {
  it("apply verifies over TLS, and verify then finds every node serving what the stack declares", async () => {
    const applied = await certform(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain("prod: verified over TLS on every node");
    for (const n of nodes) expect(await tls13Leaf(n.listenPort, "shop.example.com")).toBe(fp(shop));

    const text = await certform(["verify", dir]);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toContain("✓ prod: serves what the stack declares (2 nodes, 2 certificates, 1 JWK, 1 endpoint)");
    expect(text.stdout).toContain("Verified: every node serves what the stack declares.");

    const json = await certform(["verify", dir, "--format", "json"]);
    expect(json.code).toBe(0);
    const report = VerifyReportSchema.parse(JSON.parse(json.stdout));
    expect(report).toMatchObject({ stack: "shop", ok: true, problems: [], environments: [{ name: "prod", nodes: nodes.map((n) => n.admin) }] });

    const again = await certform(["apply", dir, "--auto-approve"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes. The gateways match the stack.\nVerified over TLS: every node serves what the stack declares.");
  });

  it("names node, host, expected and served fingerprint when another object serves a declared host", async () => {
    // Another stack's certificate for the same host, written later, wins the host on node b.
    const put = await api(nodes[1]!.admin, "PUT", "/v1/certificates/intruder", { chain: toPem([intruder.certificate, ca.certificate]), key: intruder.keyPem, labels: { "certform.dev/stack": "other" } });
    expect(put.status, put.text).toBeLessThan(300);
    try {
      const text = await certform(["verify", dir]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain("✗ prod: 1 problem");
      expect(text.stdout).toContain(`error[wrong-certificate] certificates.shop[prod] host shop.example.com`);
      expect(text.stdout).toContain(nodes[1]!.admin);
      expect(text.stdout).toContain(`expected: ${fp(shop)}`);
      expect(text.stdout).toContain(`served:   ${fp(intruder)}`);
      expect(text.stdout).not.toContain(nodes[0]!.admin);

      const json = await certform(["verify", dir, "--format", "json", "--env", "prod"]);
      expect(json.code).toBe(1);
      const report = VerifyReportSchema.parse(JSON.parse(json.stdout));
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([expect.objectContaining({ environment: "prod", node: nodes[1]!.admin, address: "certificates.shop[prod]", host: "shop.example.com", code: "wrong-certificate", expected: [fp(shop)], served: fp(intruder) })]);
      expectNoKeyEcho(json.stdout + text.stdout);
    } finally {
      expect((await api(nodes[1]!.admin, "DELETE", "/v1/certificates/intruder")).status).toBeLessThan(300);
    }
  });

  it("apply with nothing to change still verifies, and fails naming the node and host that do not serve", async () => {
    // Node b's store is damaged behind certform's back: the admin API still shows the declared certificate,
    // so plan sees no change, but the node cannot load its key and refuses the host.
    const b = nodes[1]!;
    const admin = new URL(b.admin).host;
    const listen = `127.0.0.1:${b.listenPort}`;
    await b.stop();
    const storePath = join(b.dataDir, "store.json");
    const store = JSON.parse(readFileSync(storePath, "utf8"));
    store.certificates.shop.keyPem = intruder.keyPem;
    writeFileSync(storePath, JSON.stringify(store));
    nodes[1] = await startGateway({ dataDir: b.dataDir, environment: "prod", node: "b", admin, listen });

    const plan = await certform(["plan", dir, "--detailed-exitcode"]);
    expect(plan.code, plan.stdout).toBe(0);

    const applied = await certform(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(1);
    expect(applied.stdout).toContain("No changes to write, but verification failed: 1 problem.");
    expect(applied.stdout).toMatch(new RegExp(`prod node ${b.admin.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} host shop\\.example\\.com: .*handshake`));

    const json = await certform(["apply", dir, "--auto-approve", "--format", "json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(ApplyReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({ ok: false, operations: [], verification: [{ node: b.admin, host: "shop.example.com", code: "handshake-failed" }] });

    const verify = await certform(["verify", dir]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain("error[handshake-failed] certificates.shop[prod] host shop.example.com");
    expectNoKeyEcho(applied.stdout + applied.stderr + json.stdout + verify.stdout);
  });

  it("exits 1 naming the node when a node cannot be read", async () => {
    const down = writeStackDir({ "stack.yaml": stackYaml([nodes[0]!, { ...nodes[0]!, admin: "http://127.0.0.1:9" }]), "shop.pem": "", "shop.key": "", "www.pem": "", "www.key": "", "ca.pem": ca.pem });
    // The files are read first: give the real ones.
    for (const f of ["shop.pem", "shop.key", "www.pem", "www.key"]) writeFileSync(join(down, f), readFileSync(join(dir, f)));
    const json = await certform(["verify", down, "--format", "json"]);
    expect(json.code).toBe(1);
    const report = VerifyReportSchema.parse(JSON.parse(json.stdout));
    expect(report.problems.some((p) => p.node === "http://127.0.0.1:9" && p.environment === "prod")).toBe(true);
  });
});
