import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../src/bundle/limits.js";
import { readZip } from "../src/bundle/zip-read.js";
import type { BundleManifest } from "../src/model/bundle.js";
import type { Plan } from "../src/model/plan.js";
import { certform, type CliResult } from "./support/cli.js";
import { csrPublicKey, signCsr } from "./support/csr-ca.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { JWK_PRIVATE_MEMBER, keyEchoes, rawEchoes, secretsOf } from "./support/key-echoes.js";
import { keyToPem, makeCa } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";
import { storedKeys } from "./support/store-files.js";

// Certificates an outside CA signs (generate: { csr }) move between environments like generated ones: the
// bundle carries the request's settings and the installed certificate as public facts, never the key (it is
// on the source's gateways only, whatever --include-private-keys says), and import declares generate: { csr }
// alone, so that the target's gateways make a key and request of their own for the CA to sign. Real gateway
// processes, the real command line, a CA played by openssl.

const PASSPHRASE = "csr bundle passphrase";
let dev: GatewayProcess;
let prod: GatewayProcess;
let dir: string;

const stack = (signed: boolean) => `apiVersion: certform/v1
kind: Stack
name: pki
environments:
  dev: { gateway: { type: embedded, nodes: ["${dev.admin}"] } }
certificates:
  api:
    generate:
      csr: { subject: "CN=api.example.com, O=Example", hosts: ["api.example.com"], keyType: ec-p384 }
      renewBefore: 20d
${signed ? "    certificate: { file: signed.pem }\n" : ""}  partner:
    generate:
      csr: { hosts: ["partner.example.com"] }
`;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => certform(args, { cwd: dir, env });
const ok = (r: CliResult): CliResult => {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
};
const at = (...parts: string[]) => join(dir, ...parts);

const pending = async (gw: GatewayProcess): Promise<{ name: string; keyFingerprint256: string; keyType: string }[]> => (await api(gw.admin, "GET", "/v1/requests")).body.items;

function manifestOf(zip: string): { manifest: BundleManifest; entries: Map<string, Buffer> } {
  const entries = readZip(readFileSync(zip), DEFAULT_LIMITS);
  return { manifest: JSON.parse(entries.get("manifest.json")!.toString("utf8")) as BundleManifest, entries };
}

beforeAll(async () => {
  [dev, prod] = await Promise.all([startGateway({ node: "dev-1", environment: "dev" }), startGateway({ node: "prod-1", environment: "prod" })]);
  const ca = await makeCa({ subject: "CN=Example Issuing CA" });
  dir = writeStackDir({ "ca/ca.pem": ca.pem, "ca/ca.key": keyToPem(ca.key), "dev/stack.yaml": stack(false) });
}, 120_000);

afterAll(async () => {
  await Promise.all([dev?.stop(), prod?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a csr: certificate moves to another environment as its request's settings", () => {
  let devApiKey: string;
  let devPartnerKey: string;
  let signedFingerprint: string;

  it("dev: one request signed and installed, one still pending", async () => {
    ok(await cli(["apply", at("dev"), "--auto-approve"]));
    ok(await cli(["csr", "certificates.api", "--env", "dev", "--out", at("api.csr"), at("dev")]));
    signCsr(at("api.csr"), { pem: at("ca", "ca.pem"), key: at("ca", "ca.key") }, at("dev", "signed.pem"));
    writeFileSync(at("dev", "stack.yaml"), stack(true));
    ok(await cli(["apply", at("dev"), "--auto-approve"]));
    const requests = await pending(dev);
    expect(requests.map((r) => r.name)).toEqual(["partner"]);
    devPartnerKey = requests[0]!.keyFingerprint256;
    devApiKey = csrPublicKey(at("api.csr"));
    signedFingerprint = (await api(dev.admin, "GET", "/v1/certificates/api")).body.fingerprint256;
    expect(signedFingerprint).toMatch(/^[0-9A-F:]{95}$/);
  }, 240_000);

  it("export records the settings and the certificate, never a key: with --include-private-keys neither", async () => {
    const plain = ok(await cli(["export", "--env", "dev", "--out", at("dev.zip"), at("dev")]));
    expect(plain.stdout).toContain("Exported 1 object and 1 pending signing request");
    // No placeholder is promised for a key the target makes itself.
    expect(plain.stdout).toContain("Not in the bundle:\n");
    expect(plain.stdout).toMatch(/key of certificates\.api: made on the gateways for an outside CA's signature: it never leaves them/);
    const keyed = ok(await cli(["export", "--env", "dev", "--include-private-keys", "--out", at("dev-keys.zip"), at("dev")], { CERTFORM_BUNDLE_PASSPHRASE: PASSPHRASE }));
    expect(keyed.stdout).not.toContain("included, encrypted");

    const secrets = (await storedKeys(dev.dataDir)).flatMap((k) => secretsOf(k));
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    for (const zip of ["dev.zip", "dev-keys.zip"]) {
      const { manifest, entries } = manifestOf(at(zip));
      expect([...entries.keys()].sort()).toEqual(["certificates/api.pem", "manifest.json"]);
      expect(manifest.objects).toHaveLength(1);
      expect(manifest.objects[0]).toMatchObject({
        kind: "certificates",
        address: "certificates.api",
        fingerprint256: signedFingerprint,
        issuer: expect.stringContaining("Example Issuing CA"),
        generated: false,
        csr: { subject: "CN=api.example.com, O=Example", hosts: ["api.example.com"], keyType: "ec-p384", renewBefore: "20d" },
        key: { status: "not-exportable" },
      });
      expect(manifest.requests).toEqual([
        expect.objectContaining({ name: "partner", address: "certificates.partner", owned: true, hosts: ["partner.example.com"], default: false, csr: { hosts: ["partner.example.com"], keyType: "ec-p256", renewBefore: "30d" }, keyFingerprint256: devPartnerKey, key: expect.objectContaining({ status: "not-exportable" }) }),
      ]);
      expect(manifest.missing.map((m) => m.what)).toEqual(["key of certificates.api", "key of certificates.partner"]);
      for (const m of manifest.missing) expect(m.reason).toContain("not even with --include-private-keys");
      for (const [name, data] of entries) {
        const text = data.toString("latin1");
        expect(text, name).not.toMatch(/PRIVATE KEY|CERTIFICATE REQUEST/);
        expect(text, name).not.toMatch(JWK_PRIVATE_MEMBER);
        for (const secret of secrets) expect([...keyEchoes(text, secret, { hexBytes: 6 }), ...rawEchoes(data, secret)], `${zip}/${name}`).toEqual([]);
      }
    }
  }, 120_000);

  it("import declares generate: { csr } alone and says the target needs its own CA signature", async () => {
    const r = ok(await cli(["import", at("dev.zip"), "--env", "prod", "--out", at("prod"), "--node", prod.admin]));
    expect(r.stdout).toContain("certificates.api is signed by an outside CA");
    expect(r.stdout).toContain("`certform csr certificates.api --env prod`");
    expect(r.stdout).toContain("`certform csr certificates.partner --env prod`");
    expect(r.stdout).not.toContain("Keys the bundle lacks");
    expect(readdirSync(at("prod")).sort()).toEqual(["pki.yaml"]);
    const yaml = readFileSync(at("prod", "pki.yaml"), "utf8");
    expect(yaml).toContain('    generate: { csr: { subject: "CN=api.example.com, O=Example", hosts: [api.example.com], keyType: ec-p384 }, renewBefore: 20d }');
    expect(yaml).toContain("    generate: { csr: { hosts: [partner.example.com], keyType: ec-p256 }, renewBefore: 30d }");
    expect(yaml).not.toMatch(/^\s+(certificate|key):/m);
    expect(yaml).not.toContain("{ env: CERTFORM_KEY_");

    // The bundle with --include-private-keys makes the same stack: it had no key to give.
    ok(await cli(["import", at("dev-keys.zip"), "--env", "prod", "--out", at("prod-keys"), "--node", prod.admin], { CERTFORM_BUNDLE_PASSPHRASE: PASSPHRASE }));
    expect(readFileSync(at("prod-keys", "pki.yaml"), "utf8")).toBe(yaml);
    expect(existsSync(at("prod-keys", "keys"))).toBe(false);

    const valid = await cli(["validate", "--format", "json", at("prod")]);
    expect(valid.code, valid.stdout).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ valid: true, errors: [] });
  }, 120_000);

  it("prod: plan shows the requests as new, apply has its gateway make its own keys and CSRs", async () => {
    const plan = await cli(["plan", at("prod"), "--format", "json", "--detailed-exitcode"]);
    expect(plan.code, plan.stderr).toBe(2);
    const changes = (JSON.parse(plan.stdout) as Plan).resource_changes.map((c) => [c.address, c.action, c.reasons.join(" ")]);
    expect(changes).toEqual([
      ["certificates.api[prod]", "create", expect.stringContaining("certificate signing request")],
      ["certificates.partner[prod]", "create", expect.stringContaining("certificate signing request")],
    ]);
    ok(await cli(["apply", at("prod"), "--auto-approve"]));
    const requests = await pending(prod);
    expect(requests.map((r) => [r.name, r.keyType])).toEqual([["api", "ec-p384"], ["partner", "ec-p256"]]);
    expect(requests.find((r) => r.name === "partner")!.keyFingerprint256).not.toBe(devPartnerKey);
    const again = await cli(["plan", at("prod"), "--detailed-exitcode"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout + again.stderr).toContain("pending: waiting for the signed certificate");

    const csr = ok(await cli(["csr", "certificates.api", "--env", "prod", "--out", at("prod-api.csr"), at("prod")]));
    expect(csr.stderr).toContain(`key SHA-256 ${requests.find((r) => r.name === "api")!.keyFingerprint256}`);
    expect(csrPublicKey(at("prod-api.csr"))).not.toBe(devApiKey);
    const text = execFileSync("openssl", ["req", "-in", at("prod-api.csr"), "-noout", "-verify", "-subject", "-text"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(text).toContain("DNS:api.example.com");
    expect(text).toMatch(/O ?= ?Example/);
    expect(text).toContain("secp384r1");
  }, 240_000);
});
