import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { certform, type CliResult } from "./support/cli.js";
import { csrPublicKey, signCsr } from "./support/csr-ca.js";
import { api, handshake, keepHandshaking, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, keyToPem, makeCa, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// Issue 23, the CSR workflow: the gateways of an environment make the key, `certform csr` writes the request,
// a CA (openssl, run here) signs it, and the signed certificate comes back as an ordinary source; apply
// installs it on every node with the key already there, and renewal asks for a new key while the old
// certificate keeps being served. Real gateway processes, the real command line, real TLS handshakes.

const HOST = "api.csr.example.com";
let p1: GatewayProcess;
let p2: GatewayProcess;
let dir: string;
let ca: Issued;

const stack = (opts: { renewBefore?: string; certificate?: boolean } = {}) => `apiVersion: certform/v1
kind: Stack
name: pki
environments:
  prod: { gateway: { type: embedded, nodes: ["${p1.admin}", "${p2.admin}"] } }
certificates:
  api:
    generate:
      csr: { subject: "CN=${HOST}, O=Example", hosts: ["${HOST}"], keyType: ec-p256 }
      renewBefore: ${opts.renewBefore ?? "30d"}
${opts.certificate ? "    certificate: { file: signed.pem }\n" : ""}`;

const writeStack = (opts: Parameters<typeof stack>[0] = {}) => writeFileSync(join(dir, "stack.yaml"), stack(opts));

const cli = (args: string[]): Promise<CliResult> => certform(args, { cwd: dir });

async function planJson(): Promise<{ code: number | null; plan: Plan; stderr: string }> {
  const r = await cli(["plan", dir, "--format", "json", "--detailed-exitcode"]);
  return { code: r.code, plan: JSON.parse(r.stdout) as Plan, stderr: r.stderr };
}

/** What the CA does with a request: sign it for `days`, keeping the requested subjectAltName. */
const sign = (csrFile: string, out: string, days: number): void => signCsr(csrFile, { pem: join(dir, "ca.pem"), key: join(dir, "ca.key") }, out, days);

/** The served leaf and its public key (SPKI, base64) on a node. */
async function served(gw: GatewayProcess): Promise<{ fingerprint256: string; publicKey: string }> {
  const leaf = new X509Certificate((await handshake(gw.listenPort, HOST)).raw);
  return { fingerprint256: leaf.fingerprint256, publicKey: leaf.publicKey.export({ type: "spki", format: "der" }).toString("base64") };
}

const pendingKeys = async (): Promise<string[]> =>
  Promise.all([p1, p2].map(async (gw) => ((await api(gw.admin, "GET", "/v1/requests")).body.items as { keyFingerprint256: string }[]).map((r) => r.keyFingerprint256).join(",")));

/** Runs `args` on a one-file stack of its own with these environments and certificates. */
async function inOtherStack(environments: string, certificates: string, args: string[]): Promise<CliResult> {
  const other = writeStackDir({ "stack.yaml": `apiVersion: certform/v1\nkind: Stack\nname: pki\nenvironments:\n${environments}\ncertificates:\n${certificates}\n` });
  try {
    return await cli([...args, other]);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
}

const revisions = async (): Promise<number[]> => Promise.all([p1, p2].map(async (gw) => (await api(gw.admin, "GET", "/v1/status")).body.revision as number));

beforeAll(async () => {
  [p1, p2] = await Promise.all([startGateway({ node: "node-1", environment: "prod" }), startGateway({ node: "node-2", environment: "prod" })]);
  ca = await makeCa({ subject: "CN=Example Issuing CA" });
  dir = writeStackDir({ "ca.pem": ca.pem, "ca.key": keyToPem(ca.key) });
}, 120_000);

afterAll(async () => {
  await Promise.all([p1?.stop(), p2?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("generate: { csr } with an outside CA, two nodes", () => {
  let firstKey: string;
  let firstFingerprint: string;

  it("apply has the gateways make one key and request; plan then shows it pending, and nothing is served", async () => {
    writeStack();
    const plan = await planJson();
    expect(plan.code).toBe(2);
    const change = plan.plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    expect(change.action).toBe("create");
    expect(change.reasons.join(" ")).toContain("certificate signing request");

    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    const keys = await pendingKeys();
    expect(keys[0]).toMatch(/^[0-9A-F:]{95}$/);
    expect(keys[1]).toBe(keys[0]);
    for (const gw of [p1, p2]) expect((await api(gw.admin, "GET", "/v1/status")).body.certificates).toEqual([]);
    // Journalled like every write: a node killed at once comes back with the same pending key.
    await p1.kill9();
    p1 = await startGateway({ node: "node-1", environment: "prod", dataDir: p1.dataDir, admin: new URL(p1.admin).host, listen: new URL(p1.listen).host });
    expect(await pendingKeys()).toEqual(keys);
    // A node that lost it (drift) gets the same key again, sealed from the node that holds it.
    expect((await api(p2.admin, "POST", "/v1/batch", { operations: [{ op: "delete", collection: "requests", name: "api" }] })).status).toBe(200);
    const drift = await planJson();
    expect(drift.code, drift.stderr).toBe(2);
    const repair = drift.plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    expect(repair.action).toBe("update");
    expect(repair.nodes).toEqual([p2.admin]);
    expect(repair.reasons.join(" ")).toContain(`${p2.admin} lacks the pending key`);
    const repaired = await cli(["apply", dir, "--auto-approve"]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(await pendingKeys()).toEqual(keys);

    const text = await cli(["plan", dir, "--detailed-exitcode"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout + text.stderr).toContain("pending: waiting for the signed certificate");
    expect(text.stdout + text.stderr).toContain("certform csr certificates.api --env prod");
  }, 180_000);

  it("certform csr writes the request for the CA, to stdout or --out", async () => {
    const out = await cli(["csr", "certificates.api", "--env", "prod", dir]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+-----END CERTIFICATE REQUEST-----\n$/);
    expect(out.stdout).not.toContain("PRIVATE KEY");
    const file = await cli(["csr", "certificates.api", "--env", "prod", "--out", "api.csr", dir]);
    expect(file.code, file.stderr).toBe(0);
    expect(readFileSync(join(dir, "api.csr"), "utf8")).toBe(out.stdout);
    const text = execFileSync("openssl", ["req", "-in", join(dir, "api.csr"), "-noout", "-verify", "-subject", "-text"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(text).toContain(`DNS:${HOST}`);
    expect(text).toMatch(/O ?= ?Example/);
    const missing = await cli(["csr", "certificates.api", "--env", "prod", "--out", join(dir, "no-such-dir", "api.csr"), dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error[out-directory-missing]");
    expect(missing.stderr).not.toMatch(/ENOENT|\n\s+at /);
  }, 60_000);

  it("a certificate that was not issued for the pending key is refused, naming the file, and nothing changes", async () => {
    const other = await issue({ hosts: [HOST], issuer: ca });
    writeFileSync(join(dir, "signed.pem"), other.pem);
    writeStack({ certificate: true });
    const before = await revisions();
    const plan = await cli(["plan", dir]);
    expect(plan.code).toBe(1);
    const said = plan.stdout + plan.stderr;
    expect(said).toContain("csr-certificate-mismatch");
    expect(said).toContain("signed.pem");
    expect(said).toMatch(/stack\.yaml:\d+:\d+/);
    expect(said).toContain("was not issued for the pending key");
    const apply = await cli(["apply", dir, "--auto-approve"]);
    expect(apply.code).toBe(1);
    expect(await revisions()).toEqual(before);
  }, 120_000);

  it("a certificate signed for other hosts than the request's is refused at validate, and nothing changes", async () => {
    // The CA puts its own subjectAltName in instead of the requested one.
    writeFileSync(join(dir, "other-san.ext"), "subjectAltName=DNS:other.example.com\n");
    execFileSync("openssl", ["x509", "-req", "-in", join(dir, "api.csr"), "-CA", join(dir, "ca.pem"), "-CAkey", join(dir, "ca.key"), "-CAcreateserial", "-days", "30", "-out", join(dir, "signed.pem"), "-extfile", join(dir, "other-san.ext")], { stdio: "pipe" });
    writeStack({ certificate: true });
    const before = await revisions();
    const v = await cli(["validate", dir, "--format", "json"]);
    expect(v.code, v.stdout).toBe(1);
    const errors = (JSON.parse(v.stdout) as { errors: { code: string; message: string }[] }).errors;
    expect(errors.map((e) => e.code)).toContain("host-not-covered");
    expect(errors.find((e) => e.code === "host-not-covered")!.message).toContain(HOST);
    const apply = await cli(["apply", dir, "--auto-approve"]);
    expect(apply.code).toBe(1);
    expect(await revisions()).toEqual(before);
  }, 120_000);

  it("the signed certificate is installed with the pending key, and both nodes serve it with that key", async () => {
    sign(join(dir, "api.csr"), join(dir, "signed.pem"), 90);
    writeStack({ certificate: true });
    const plan = await planJson();
    expect(plan.code, plan.stderr).toBe(2);
    const change = plan.plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    expect(change.action).toBe("create");
    expect(change.reasons).toEqual(["certificate issued for the pending key"]);
    expect(JSON.stringify(plan.plan)).not.toContain("PRIVATE KEY");

    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    const signed = new X509Certificate(readFileSync(join(dir, "signed.pem")));
    const [a, b] = await Promise.all([served(p1), served(p2)]);
    expect(a.fingerprint256).toBe(signed.fingerprint256);
    expect(b.fingerprint256).toBe(signed.fingerprint256);
    expect(a.publicKey).toBe(csrPublicKey(join(dir, "api.csr")));
    expect(b.publicKey).toBe(a.publicKey);
    // The request is done with: its key now serves the certificate.
    expect(await pendingKeys()).toEqual(["", ""]);
    const again = await cli(["plan", dir, "--detailed-exitcode"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    firstKey = a.publicKey;
    firstFingerprint = a.fingerprint256;
  }, 180_000);

  it("renewal: a new pending key while the old certificate is served, then a swap without a failed handshake", async () => {
    writeStack({ certificate: true, renewBefore: "120d" });
    const plan = await planJson();
    expect(plan.code, plan.stderr).toBe(2);
    const change = plan.plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    expect(change.action).toBe("update");
    expect(change.reasons.join(" ")).toContain("renewal due");
    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    const keys = await pendingKeys();
    expect(keys[0]).not.toBe("");
    expect(keys[1]).toBe(keys[0]);
    for (const gw of [p1, p2]) expect((await served(gw)).fingerprint256).toBe(firstFingerprint);
    const pending = await cli(["plan", dir, "--detailed-exitcode"]);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout + pending.stderr).toContain("pending: waiting for the signed certificate");

    const csr = await cli(["csr", "certificates.api[prod]", "--out", "renewed.csr", dir]);
    expect(csr.code, csr.stderr).toBe(0);
    expect(csrPublicKey(join(dir, "renewed.csr"))).not.toBe(firstKey);
    sign(join(dir, "renewed.csr"), join(dir, "signed.pem"), 365);
    const issued = await planJson();
    const swap = issued.plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    expect(swap.action).toBe("replace");
    expect(swap.reasons).toEqual(["certificate issued for the pending key"]);

    const clients = keepHandshaking([p1, p2], HOST);
    const swapped = await cli(["apply", dir, "--auto-approve"]);
    const result = await clients.stop();
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(result.failures).toEqual([]);
    expect(result.handshakes).toBeGreaterThan(10);
    const renewed = new X509Certificate(readFileSync(join(dir, "signed.pem")));
    const [a, b] = await Promise.all([served(p1), served(p2)]);
    expect(a.fingerprint256).toBe(renewed.fingerprint256);
    expect(b.fingerprint256).toBe(renewed.fingerprint256);
    expect(a.publicKey).toBe(csrPublicKey(join(dir, "renewed.csr")));
    expect(b.publicKey).toBe(a.publicKey);
    const after = await cli(["plan", dir, "--detailed-exitcode"]);
    expect(after.code, after.stdout + after.stderr).toBe(0);
  }, 240_000);

  it("validate names csr: mixed with hosts: under generate:, at the key", async () => {
    const r = await inOtherStack(`  prod: { gateway: { type: embedded, nodes: ["http://127.0.0.1:9"] } }`, `  api:\n    generate:\n      hosts: ["${HOST}"]\n      csr: { hosts: ["${HOST}"] }`, ["validate", "--format", "json"]);
    expect(r.code).toBe(1);
    const errors = (JSON.parse(r.stdout) as { errors: { code: string; line: number; column: number }[] }).errors;
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([["csr-and-hosts", 9, 7]]);
  }, 60_000);

  it("a subject that is not a distinguished name is refused at validate, at csr.subject", async () => {
    const cases: [string, string][] = [["XX=abc", '"XX" is not an attribute type'], ["foo", '"foo" is not TYPE=value'], ["CN=", "CN= has no value"], ["CN=a+b", 'holds "+" unescaped']];
    for (const [subject, says] of cases) {
      const r = await inOtherStack(`  prod: { gateway: { type: embedded, nodes: ["http://127.0.0.1:9"] } }`, `  api:\n    generate:\n      csr: { hosts: ["${HOST}"], subject: "${subject}" }`, ["validate", "--format", "json"]);
      expect(r.code, r.stdout).toBe(1);
      const errors = (JSON.parse(r.stdout) as { errors: { code: string; line: number; message: string }[] }).errors;
      expect(errors.map((e) => [e.code, e.line]), subject).toEqual([["csr-subject-invalid", 9]]);
      expect(errors[0]!.message, subject).toContain(says);
    }
  }, 60_000);

  it("a keyTypes policy judges the key type the request asks for, at csr.keyType", async () => {
    const r = await inOtherStack(`  prod: { gateway: { type: embedded, nodes: ["http://127.0.0.1:9"] } }`, `  api:\n    generate:\n      csr: { hosts: ["${HOST}"], keyType: rsa-2048 }\npolicies:\n  strong: { rule: keyTypes, allow: [ec-p256], severity: error }`, ["validate", "--format", "json"]);
    expect(r.code).toBe(1);
    const errors = (JSON.parse(r.stdout) as { errors: { code: string; line: number; column: number; message: string }[] }).errors;
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([["policy-keyTypes", 9, 55]]);
    expect(errors[0]!.message).toContain("rsa-2048");
  }, 60_000);

  it("a protected certificate's pending request is not deleted when the certificate leaves the stack", async () => {
    const gw = await startGateway({ node: "node-p", environment: "prod" });
    try {
      const env = `  prod: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }`;
      const protectedDir = writeStackDir({ "stack.yaml": `apiVersion: certform/v1\nkind: Stack\nname: guarded\nenvironments:\n${env}\ncertificates:\n  api:\n    protect: true\n    generate:\n      csr: { hosts: ["${HOST}"] }\n` });
      const applied = await certform(["apply", protectedDir, "--auto-approve"]);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      const pending = async () => ((await api(gw.admin, "GET", "/v1/requests")).body.items as unknown[]).length;
      expect(await pending()).toBe(1);
      writeFileSync(join(protectedDir, "stack.yaml"), `apiVersion: certform/v1\nkind: Stack\nname: guarded\nenvironments:\n${env}\n`);
      const plan = await certform(["plan", protectedDir]);
      expect(plan.code).toBe(1);
      expect(plan.stdout + plan.stderr).toContain("its pending signing request is protected (protect: true)");
      const destroyed = await certform(["destroy", protectedDir, "--auto-approve"]);
      expect(destroyed.code).toBe(1);
      expect(await pending()).toBe(1);
      rmSync(protectedDir, { recursive: true, force: true });
    } finally {
      await gw.stop();
    }
  }, 120_000);

  it("an HAProxy gateway refuses a csr certificate: it cannot make the key", async () => {
    const plan = await inOtherStack(`  edge: { gateway: { type: haproxy, nodes: ["tcp://127.0.0.1:9"], listen: "127.0.0.1:8443", dir: "${join(dir, "haproxy")}" } }`, `  api: { generate: { csr: { hosts: ["${HOST}"] } } }`, ["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toContain("certificates.api[edge]");
    expect(plan.stdout + plan.stderr).toContain("cannot make a key for a certificate signing request");
  }, 60_000);
});
