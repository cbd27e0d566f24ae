import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../src/bundle/limits.js";
import { readZip } from "../src/bundle/zip-read.js";
import { runExportCert } from "../src/cli/export-cert-run.js";
import { runExport } from "../src/cli/export-run.js";
import { runImport } from "../src/cli/import-run.js";
import { runApply } from "../src/cli/apply-run.js";
import type { BundleManifest } from "../src/model/bundle.js";
import { planPaths } from "../src/plan/index.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { issue, makeCa, makeIntermediate, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// The round trip of issue 6 against real gateways: environment a → bundle → environment b (keys left out,
// given as CERTFORM_KEY_* variables) → bundle with keys → environment c, and back into a.

let a: GatewayProcess;
let b: GatewayProcess;
let c: GatewayProcess;
let root: Issued;
let inter: Issued;
let apiCert: Issued;
let backendCa: Issued;
let stackA: string;
const work = mkdtempSync(join(tmpdir(), "certform-bundle-rt-"));
const outputs: string[] = [];

/** Runs a command in process and returns what it printed (kept for the key-echo check at the end). */
async function run(fn: () => Promise<number>): Promise<{ code: number; out: string; stdout: string }> {
  const chunks: string[] = [];
  const stdout: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  const grab = (to: string[]) => (chunk: unknown) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("latin1");
    chunks.push(text);
    to.push(text);
    return true;
  };
  process.stdout.write = grab(stdout) as typeof process.stdout.write;
  process.stderr.write = grab([]) as typeof process.stderr.write;
  try {
    const code = await fn();
    const out = chunks.join("");
    outputs.push(out);
    return { code, out, stdout: stdout.join("") };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}

const manifestOf = (zip: Buffer): BundleManifest => JSON.parse(readZip(zip, DEFAULT_LIMITS).get("manifest.json")!.toString("utf8"));

/** A bundle's objects as comparable across environments: environment names out, generated certificates by their settings. */
function comparable(m: BundleManifest, env: string): unknown {
  const objects = m.objects.map((o) => {
    const labels = Object.fromEntries(Object.entries(o.labels).map(([k, v]) => [k, v.replace(`[${env}]`, "[ENV]")]));
    if (o.kind === "certificates" && o.generated) {
      const { fingerprint256, chain, keyFingerprint256, notBefore, notAfter, ...rest } = o;
      return { ...rest, labels };
    }
    return { ...o, labels };
  });
  return { objects, links: m.links, missing: m.missing };
}

async function planChanges(dir: string): Promise<number> {
  const made = await planPaths([dir], { prune: true });
  if ("failed" in made) throw new Error(JSON.stringify(made.failed));
  const s = made.plan.summary;
  return s.create + s.update + s.replace + s.delete;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

beforeAll(async () => {
  root = await makeCa();
  inter = await makeIntermediate(root);
  backendCa = await makeCa({ subject: "CN=Billing Backend CA" });
  apiCert = await issue({ issuer: inter, hosts: ["api.example.com", "www.example.com"] });
  [a, b, c] = await Promise.all([startGateway({ environment: "a", node: "a-1" }), startGateway({ environment: "b", node: "b-1" }), startGateway({ environment: "c", node: "c-1" })]);
  stackA = writeStackDir({
    "api.pem": toPem([apiCert.certificate, inter.certificate]),
    "api.key": apiCert.keyPem,
    "backend-ca.pem": backendCa.pem,
    "payments.yaml": `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  a: { gateway: { type: embedded, nodes: ["${a.admin}"] } }
certificates:
  api: { certificate: { file: api.pem }, key: { file: api.key }, hosts: ["api.example.com"] }
  wild: { generate: { hosts: ["*.internal.example.com"], validity: 60d, renewBefore: 20d } }
trustedCertificates:
  backend: { alias: billing-ca, certificate: { file: backend-ca.pem } }
endpoints:
  billing: { url: "https://billing.internal:9443", path: /billing-api }
trustAssignments:
  billing: { certificate: backend, endpoint: billing }
  partners: { certificate: backend, scope: clients, hosts: ["api.example.com"], required: false }
jwks:
  signing: { certificate: api }
  backend-enc: { certificate: backend, use: enc, kid: backend-2025, onCertificateChange: disconnect }
`,
  });
  const applied = await run(() => runApply({ paths: [stackA] }, { format: "text", color: false, autoApprove: true, parallelism: "4", verify: true, prune: true }, "apply"));
  expect(applied.out).toContain("Apply complete!");
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  for (const v of ["CERTFORM_KEY_API", "CERTFORM_BUNDLE_PASSPHRASE"]) delete process.env[v];
  rmSync(work, { recursive: true, force: true });
  if (stackA) rmSync(stackA, { recursive: true, force: true });
});

describe("export, import and the round trip between environments", () => {
  const zipA = join(work, "a.zip");
  const zipB = join(work, "b-keys.zip");

  it("exports what environment a holds, byte-identical every time, keys listed as missing", async () => {
    const first = await run(() => runExport([stackA], { env: ["a"], out: zipA, format: "zip" }));
    expect(first.code).toBe(0);
    expect(first.out).toContain("Exported 8 objects of environment a (stack payments");
    expect(first.out).toMatch(/key of certificates\.api: left out/);
    expect(first.out).toMatch(/key of certificates\.wild: generated on the gateway/);
    const bytes = readFileSync(zipA);
    await new Promise((r) => setTimeout(r, 1100));
    await run(() => runExport([stackA], { env: ["a"], out: join(work, "a-again.zip"), format: "zip" }));
    expect(readFileSync(join(work, "a-again.zip")).equals(bytes)).toBe(true);

    const entries = readZip(bytes, DEFAULT_LIMITS);
    expect([...entries.keys()]).toEqual(["manifest.json", "certificates/api.pem", "certificates/wild.pem", "jwks/backend-enc.json", "jwks/signing.json", "trusted/backend.pem"]);
    const m = manifestOf(bytes);
    expect(m).toMatchObject({ format: "certform-bundle", format_version: "1", source: { stack: "payments", environment: "a", gateway: "embedded", scope: "owned" } });
    expect(JSON.stringify(m)).not.toMatch(/"(created|exported)_?at"/i);
    const api = m.objects.find((o) => o.address === "certificates.api");
    expect(api).toMatchObject({ fingerprint256: apiCert.certificate.fingerprint256, chain: [apiCert.certificate.fingerprint256, inter.certificate.fingerprint256], notAfter: new Date(apiCert.certificate.validTo).toISOString(), key: { status: "missing" } });
    expect(m.objects.find((o) => o.address === "trustedCertificates.backend")).toMatchObject({ alias: "billing-ca", fingerprint256: backendCa.certificate.fingerprint256 });
    expect(m.missing.map((x) => x.what)).toEqual(["key of certificates.api", "key of certificates.wild"]);
    expect(m.links).toEqual(
      expect.arrayContaining([
        { type: "trusts", from: "trustAssignments.billing", to: "trustedCertificates.backend" },
        { type: "endpoint", from: "trustAssignments.billing", to: "endpoints.billing" },
        { type: "derived-from", from: "jwks.signing", to: "certificates.api" },
        { type: "derived-from", from: "jwks.backend-enc", to: "trustedCertificates.backend" },
      ]),
    );
    expect(m.files.map((f) => f.path)).toEqual([...entries.keys()].filter((p) => p !== "manifest.json").sort());
  });

  it("writes one JSON document with --format json, the same every time, and imports it like the ZIP", async () => {
    const one = await run(() => runExport([stackA], { env: ["a"], format: "json" }));
    const two = await run(() => runExport([stackA], { env: ["a"], format: "json" }));
    const doc = JSON.parse(one.stdout);
    expect(doc.contents["certificates/api.pem"]).toContain("BEGIN CERTIFICATE");
    expect(one.out).toContain("Exported 8 objects");
    expect(one.stdout).toBe(two.stdout);
    await run(() => runExport([stackA], { env: ["a"], format: "json", out: join(work, "a.json") }));
    const fromJson = join(work, "from-json");
    const fromZip = join(work, "from-zip");
    expect((await run(() => runImport(join(work, "a.json"), { env: "b", out: fromJson, gatewayType: "embedded", format: "text" }))).code).toBe(0);
    expect((await run(() => runImport(zipA, { env: "b", out: fromZip, gatewayType: "embedded", format: "text" }))).code).toBe(0);
    expect(readFileSync(join(fromJson, "payments.yaml"), "utf8")).toBe(readFileSync(join(fromZip, "payments.yaml"), "utf8"));
  });

  it("a → b with keys left out: placeholders listed, applied to b, no changes after, the same objects as a", async () => {
    const dirB = join(work, "stack-b");
    process.env.CERTFORM_KEY_API = apiCert.keyPem;
    const imported = await run(() => runImport(zipA, { env: "b", out: dirB, node: [b.admin], gatewayType: "embedded", apply: true, autoApprove: true, format: "text" }));
    expect(imported.out).toContain("Imported a certform bundle of stack payments, environment a");
    expect(imported.out).toMatch(/Keys the bundle lacks[^\n]*\n\s+CERTFORM_KEY_API\s+key of certificates\.api/);
    expect(imported.out).toContain("Apply complete!");
    expect(imported.code).toBe(0);
    const yaml = readFileSync(join(dirB, "payments.yaml"), "utf8");
    expect(yaml).toContain(`nodes: ["${b.admin}"]`);
    expect(yaml).toContain("key: { env: CERTFORM_KEY_API }");
    expect(existsSync(join(dirB, "keys"))).toBe(false);
    expect(await planChanges(dirB)).toBe(0);
    expect((await api(b.admin, "GET", "/v1/endpoints/billing")).body.trustedAliases).toEqual(["billing-ca"]);

    const zipBplain = join(work, "b.zip");
    expect((await run(() => runExport([dirB], { env: ["b"], out: zipBplain, format: "zip" }))).code).toBe(0);
    expect(comparable(manifestOf(readFileSync(zipBplain)), "b")).toEqual(comparable(manifestOf(readFileSync(zipA)), "a"));
  });

  it("b → c with keys included (encrypted): byte-identical, applied to c without key variables, no changes after", async () => {
    const dirB = join(work, "stack-b");
    const refused = await run(() => runExport([dirB], { env: ["b"], out: zipB, format: "zip", includePrivateKeys: true }));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("CERTFORM_BUNDLE_PASSPHRASE");
    expect(existsSync(zipB)).toBe(false);

    process.env.CERTFORM_BUNDLE_PASSPHRASE = "a long test passphrase";
    expect((await run(() => runExport([dirB], { env: ["b"], out: zipB, format: "zip", includePrivateKeys: true }))).code).toBe(0);
    await run(() => runExport([dirB], { env: ["b"], out: join(work, "b-keys-again.zip"), format: "zip", includePrivateKeys: true }));
    expect(readFileSync(join(work, "b-keys-again.zip")).equals(readFileSync(zipB))).toBe(true);
    const m = manifestOf(readFileSync(zipB));
    expect(m.objects.find((o) => o.address === "certificates.api")).toMatchObject({ key: { status: "included", file: "keys/api.key" } });
    expect(m.missing.map((x) => x.what)).toEqual(["key of certificates.wild"]);
    expect(readZip(readFileSync(zipB), DEFAULT_LIMITS).get("keys/api.key")!.toString()).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);

    delete process.env.CERTFORM_KEY_API;
    const dirC = join(work, "stack-c");
    const imported = await run(() => runImport(zipB, { env: "c", out: dirC, node: [c.admin], gatewayType: "embedded", apply: true, autoApprove: true, format: "text" }));
    expect(imported.out).toContain("Apply complete!");
    expect(imported.out).not.toContain("Keys the bundle lacks");
    expect(readFileSync(join(dirC, "payments.yaml"), "utf8")).toContain('key: { file: keys/api.key, passphrase: "${env:CERTFORM_BUNDLE_PASSPHRASE}" }');
    expect(statSync(join(dirC, "keys", "api.key")).mode & 0o077).toBe(0);
    expect(await planChanges(dirC)).toBe(0);
    const zipC = join(work, "c.zip");
    await run(() => runExport([dirC], { env: ["c"], out: zipC, format: "zip" }));
    expect(comparable(manifestOf(readFileSync(zipC)), "c")).toEqual(comparable(manifestOf(readFileSync(zipA)), "a"));
  });

  it("and back: c's bundle imported as a shows no changes against a", async () => {
    const back = join(work, "stack-a-again");
    const imported = await run(() => runImport(zipB, { env: "a", out: back, mapEnvironment: ["b=a"], node: [a.admin], gatewayType: "embedded", format: "text" }));
    expect(imported.code).toBe(0);
    expect(await planChanges(back)).toBe(0);
  });

  it("--all takes the objects no stack owns too, and import declares them", async () => {
    expect((await api(a.admin, "PUT", "/v1/endpoints/legacy", { url: "https://legacy.internal", path: "/legacy" })).status).toBeLessThan(300);
    expect((await api(a.admin, "PUT", "/v1/trust/legacy-trust", { alias: "billing-ca", endpoint: "legacy" })).status).toBeLessThan(300);
    try {
      const owned = await run(() => runExport([stackA], { env: ["a"], format: "json" }));
      expect(JSON.parse(owned.stdout).objects.map((o: { address: string }) => o.address)).not.toContain("endpoints.legacy");
      const all = await run(() => runExport([stackA], { env: ["a"], format: "json", all: true, out: join(work, "a-all.json") }));
      expect(all.code).toBe(0);
      const m = JSON.parse(readFileSync(join(work, "a-all.json"), "utf8")) as BundleManifest;
      expect(m.source.scope).toBe("all");
      expect(m.objects.find((o) => o.address === "endpoints.legacy")).toMatchObject({ owned: false, url: "https://legacy.internal" });
      expect(m.links).toContainEqual({ type: "trusts", from: "trustAssignments.legacy-trust", to: "trustedCertificates.backend" });
      const dir = join(work, "stack-all");
      expect((await run(() => runImport(join(work, "a-all.json"), { env: "d", out: dir, gatewayType: "embedded", format: "text" }))).code).toBe(0);
      expect(readFileSync(join(dir, "payments.yaml"), "utf8")).toMatch(/legacy-trust:\n    certificate: backend\n    endpoint: legacy\n/);
    } finally {
      await api(a.admin, "DELETE", "/v1/trust/legacy-trust");
      await api(a.admin, "DELETE", "/v1/endpoints/legacy");
    }
  });

  it("export-cert writes one certificate as PEM or DER, or the chain", async () => {
    const pem = await run(() => runExportCert("certificates.api", [stackA], { env: ["a"], format: "pem" }));
    expect(pem.stdout).toBe(apiCert.pem);
    const der = join(work, "api.der");
    expect((await run(() => runExportCert("certificates.api[a]", [stackA], { format: "der", out: der }))).code).toBe(0);
    expect(readFileSync(der).equals(apiCert.der)).toBe(true);
    const chain = await run(() => runExportCert("certificates.api", [stackA], { env: ["a"], format: "pem", chain: true }));
    expect(chain.stdout).toBe(toPem([apiCert.certificate, inter.certificate]));
    const trusted = await run(() => runExportCert("trustedCertificates.backend", [stackA], { env: ["a"], format: "pem" }));
    expect(trusted.stdout).toBe(backendCa.pem);
    expect((await run(() => runExportCert("certificates.nope", [stackA], { env: ["a"], format: "pem" }))).code).toBe(1);
  });

  it("no unencrypted key in any bundle, stack or output", () => {
    const secret = secretOf(apiCert.key);
    const texts = [...outputs];
    for (const f of allFiles(work)) {
      const data = readFileSync(f);
      texts.push(f.endsWith(".zip") ? [...readZip(data, DEFAULT_LIMITS).values()].map((d) => d.toString("utf8")).join("\n") : data.toString("utf8"));
    }
    for (const t of texts) {
      expect(keyEchoes(t, secret)).toEqual([]);
      expect(t).not.toMatch(/-----BEGIN (EC |RSA )?PRIVATE KEY-----/);
    }
  });
});
