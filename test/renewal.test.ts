import { X509Certificate } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { certform, type CliResult } from "./support/cli.js";
import { api, handshake, keepHandshaking, startGateway, type GatewayProcess } from "./support/gateway.js";
import { daysAgo, daysFromNow, issue } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// Issue 18, renewal: a generated certificate inside renewBefore is replaced by apply on every node of the
// environment with the same new certificate, while clients keep handshaking without a single failure, and
// its JWKs follow their onCertificateChange. `certform renew` forces the same now. Real gateway processes,
// the real command line, real TLS handshakes.

const HOST = "api.renew.example.com";
let p1: GatewayProcess;
let p2: GatewayProcess;
let dir: string;
const written: string[] = [];

const stack = (extra = "") => `apiVersion: certform/v1
kind: Stack
name: renewal
environments:
  prod: { gateway: { type: embedded, nodes: ["${p1.admin}", "${p2.admin}"] } }
certificates:
  wild: { generate: { hosts: ["*.renew.example.com"], validity: 90d, renewBefore: 30d } }
  brought: { certificate: { file: brought.pem }, key: { file: brought.key } }
jwks:
  follows: { certificate: wild, onCertificateChange: update }
  pinned: { certificate: wild, kid: pinned, onCertificateChange: disconnect }
${extra}`;

async function cli(args: string[]): Promise<CliResult> {
  const r = await certform(args);
  written.push(r.stdout, r.stderr);
  return r;
}

const served = async (gw: GatewayProcess) => new X509Certificate((await handshake(gw.listenPort, HOST)).raw).fingerprint256;

/** The published key of each JWK (kid and public key members), by JWK name, as the node lists them. */
async function kids(gw: GatewayProcess): Promise<Record<string, string>> {
  const items = (await api(gw.admin, "GET", "/v1/jwks")).body.items as { name: string; jwk: Record<string, unknown> }[];
  return Object.fromEntries(items.map((j) => [j.name, JSON.stringify(j.jwk)]));
}
const kidOf = (jwk: string | undefined) => (JSON.parse(jwk!) as { kid: string }).kid;

/** The kids a node publishes at /.well-known/jwks.json. */
function published(gw: GatewayProcess): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: gw.listenPort, path: "/.well-known/jwks.json", servername: HOST, rejectUnauthorized: false, agent: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve((JSON.parse(text) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort()));
    });
    req.once("error", reject);
    req.end();
  });
}

async function planJson(): Promise<{ code: number | null; plan: Plan }> {
  const r = await cli(["plan", dir, "--format", "json", "--detailed-exitcode"]);
  return { code: r.code, plan: JSON.parse(r.stdout) as Plan };
}

beforeAll(async () => {
  [p1, p2] = await Promise.all([startGateway({ environment: "prod", node: "prod-1" }), startGateway({ environment: "prod", node: "prod-2" })]);
  const brought = await issue({ hosts: ["files.renew.example.com"], validityDays: 200 });
  dir = writeStackDir({ "brought.pem": brought.pem, "brought.key": brought.keyPem });
  writeFileSync(join(dir, "stack.yaml"), stack());
  const applied = await cli(["apply", dir, "--auto-approve"]);
  if (applied.code !== 0) throw new Error(applied.stdout + applied.stderr);
});
afterAll(async () => {
  await Promise.all([p1?.stop(), p2?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a generated certificate inside renewBefore", () => {
  let aged: string;
  let before: Record<string, string>;

  it("shows in plan as a replacement with the reason, and its JWKs' consequences", async () => {
    // The certificate the nodes hold was generated 78 days ago with 90 days of validity: what the nodes
    // would serve after 78 days, written the way apply writes generated material (one chain and key, every node).
    const live = (await api(p1.admin, "GET", "/v1/certificates/wild")).body;
    const old = await issue({ hosts: ["*.renew.example.com"], subject: "CN=*.renew.example.com", notBefore: daysAgo(78), notAfter: daysFromNow(12.2) });
    for (const gw of [p1, p2]) {
      const put = await api(gw.admin, "PUT", "/v1/certificates/wild", { hosts: live.hosts, default: live.default, chain: old.pem, key: old.keyPem, generated: true, labels: live.labels });
      expect(put.status).toBe(200);
    }
    aged = old.certificate.fingerprint256;
    expect(await served(p1)).toBe(aged);
    before = await kids(p1);
    expect(await kids(p2)).toEqual(before);

    const text = await cli(["plan", dir, "--detailed-exitcode"]);
    expect(text.stdout).toContain("renewal due: expires in 12 days, renewBefore 30d");
    expect(text.code).toBe(2);
    const { plan } = await planJson();
    const byAddress = Object.fromEntries(plan.resource_changes.map((c) => [c.address, c]));
    expect(byAddress["certificates.wild[prod]"]).toMatchObject({ action: "replace", reasons: ["renewal due: expires in 12 days, renewBefore 30d"], nodes: [p1.admin, p2.admin], drift: [] });
    expect(byAddress["certificates.wild[prod]"]!.before?.certificate?.fingerprint256).toBe(aged);
    expect(byAddress["jwks.follows[prod]"]).toMatchObject({ action: "update" });
    expect(byAddress["jwks.follows[prod]"]!.reasons[0]).toContain("onCertificateChange: update");
    expect(byAddress["jwks.pinned[prod]"]!.reasons[0]).toContain("onCertificateChange: disconnect");
    expect(byAddress["certificates.brought[prod]"]!.action).toBe("no-op");
    expect(plan.summary).toMatchObject({ replace: 1, update: 2, create: 0, delete: 0 });
  });

  it("is replaced by apply with zero failed handshakes; every node serves the same new certificate; JWKs follow their policy", async () => {
    const clients = keepHandshaking([p1, p2], HOST);
    const applied = await cli(["apply", dir, "--auto-approve"]);
    const { handshakes, failures, seen } = await clients.stop();
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    expect(failures).toEqual([]);
    expect(handshakes).toBeGreaterThan(0);

    const renewed = await served(p1);
    expect(renewed).not.toBe(aged);
    expect(await served(p2)).toBe(renewed);
    // Clients saw the old certificate or the new one, never anything else.
    for (const fp of seen) expect([aged, renewed]).toContain(fp);
    const [a, b] = await Promise.all([p1, p2].map(async (gw) => (await api(gw.admin, "GET", "/v1/certificates")).body.items.find((c: { hosts: string[] }) => c.hosts.includes("*.renew.example.com"))));
    expect(a).toMatchObject({ generated: true, fingerprint256: renewed });
    expect(b.keyFingerprint256).toBe(a.keyFingerprint256);
    expect(Date.parse(a.notAfter) - Date.now()).toBeGreaterThan(89 * 86_400_000);

    const after = await kids(p1);
    expect(after.follows).not.toBe(before.follows);
    expect(after.pinned).toBe(before.pinned);
    expect(await kids(p2)).toEqual(after);
    expect(await published(p1)).toEqual([kidOf(after.follows), "pinned"].sort());
    expect(kidOf(after.follows)).not.toBe(kidOf(before.follows));

    const again = await planJson();
    expect(again.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(again.code).toBe(0);
  });
});

describe("certform renew", () => {
  it("renews now: shows the plan of just that replacement, applies it with zero failed handshakes, leaves the rest pending", async () => {
    // Something else is pending in the stack: renew must not apply it.
    writeFileSync(join(dir, "stack.yaml"), stack('endpoints:\n  pending: { url: "https://127.0.0.1:9" }\n'));
    const current = await served(p1);
    const jwksBefore = await kids(p1);

    const clients = keepHandshaking([p1, p2], HOST);
    const renewed = await cli(["renew", "certificates.wild", dir, "--auto-approve"]);
    const { failures } = await clients.stop();
    expect(renewed.stdout).toMatch(/renewal forced \(certform renew\): expires in 89 days, renewBefore 30d/);
    expect(renewed.stdout).toContain("certificates.wild[prod]");
    expect(renewed.stdout).not.toContain("endpoints.pending");
    expect(renewed.stdout).toContain("Apply complete!");
    expect(renewed.code).toBe(0);
    expect(failures).toEqual([]);

    const now = await served(p1);
    expect(now).not.toBe(current);
    expect(await served(p2)).toBe(now);
    const jwksAfter = await kids(p1);
    expect(jwksAfter.follows).not.toBe(jwksBefore.follows);
    expect(jwksAfter.pinned).toBe(jwksBefore.pinned);
    expect(await kids(p2)).toEqual(jwksAfter);

    // The pending endpoint is still pending; the renewal left nothing else to do.
    const { plan, code } = await planJson();
    expect(code).toBe(2);
    expect(plan.resource_changes.filter((c) => c.action !== "no-op").map((c) => `${c.action} ${c.address}`)).toEqual(["create endpoints.pending[prod]"]);
  });

  it("asks like apply does, and changes nothing without a terminal to ask", async () => {
    const before = await served(p1);
    const r = await cli(["renew", "certificates.wild[prod]", dir]);
    expect(r.stdout).toContain("renewal forced (certform renew)");
    expect(r.stdout + r.stderr).toContain("--auto-approve");
    expect(r.code).toBe(1);
    expect(await served(p1)).toBe(before);
  });

  it("refuses an address that is not a generated certificate, naming it, and changes nothing", async () => {
    const revision = (await api(p1.admin, "GET", "/v1/status")).body.revision;
    const cases: [string, RegExp][] = [
      ["certificates.brought", /certificates\.brought is not a generated certificate: its certificate comes from file/],
      ["jwks.follows", /jwks\.follows is not a generated certificate: it is one of the jwks/],
      ["certificates.nope", /certificates\.nope is not declared in any planned environment \(prod\)/],
      ["certificates.wild[dev]", /certificates\.wild\[dev\] is not declared in environment dev/],
      ["wild", /"wild" is not an address/],
    ];
    for (const [address, message] of cases) {
      const r = await cli(["renew", address, dir, "--auto-approve"]);
      expect(r.stdout + r.stderr, address).toMatch(message);
      expect(r.code, address).toBe(1);
    }
    const json = await cli(["renew", "certificates.brought", dir, "--auto-approve", "--format", "json"]);
    expect(JSON.parse(json.stdout).errors[0]).toMatchObject({ address: "certificates.brought", code: "not-generated" });
    expect((await api(p1.admin, "GET", "/v1/status")).body.revision).toBe(revision);
  });
});

describe("keys", () => {
  it("are never printed", () => {
    expect(written.join("\n")).not.toMatch(/PRIVATE KEY/);
  });
});
