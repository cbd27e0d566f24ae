import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { request } from "node:https";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../src/bundle/limits.js";
import { readZip } from "../src/bundle/zip-read.js";
import { signCsr } from "./support/csr-ca.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { certformInProcess } from "./support/in-process.js";
import { JWK_PRIVATE_MEMBER, keyEchoes, rawEchoes, secretsOf } from "./support/key-echoes.js";
import { exportPkcs12, keyToPem, leaf, makePki, type Issued, type Pki } from "./support/pki.js";
import { storedKeys } from "./support/store-files.js";
import { writeStackDir } from "./support/stack.js";

// The promise "a private key appears nowhere but where it must live": one full run of certform — validate,
// every format of plan, a plan file, apply, verify, list, expiry, inspect, certform csr (a request signed and
// installed, one pending), export (ZIP and JSON, without keys), export-cert, import, errors, the gateway's log,
// and a GET of everything its admin API and data plane serve, signing requests included — is collected, and no private key of the run (those of the fixtures, and those the gateway
// generated, read back from its store) is found in any of it: not as PEM, DER, hex, base64, base64url, nor
// as a JWK's private members.

const TOKEN = "secrets-test-admin-token";
const KEY_PASS = "key passphrase for the secrets test";
const P12_PASS = "p12 passphrase for the secrets test";
const ENV = { CERTFORM_SECRETS_TOKEN: TOKEN, CERTFORM_SECRETS_KEY_PASS: KEY_PASS, CERTFORM_SECRETS_P12_PASS: P12_PASS };

let gw: GatewayProcess;
let pki: Pki;
let rsa: Issued;
let p12: Issued;
let stack: string;
let broken: string;
/** The CA that signs the csr: certificate, kept apart from the stack (its key is an input, not output). */
let caDir: string;
/** Everything certform printed or wrote, by where it came from. */
const collected: { what: string; data: Buffer }[] = [];
const keep = (what: string, data: Buffer | string) => collected.push({ what, data: Buffer.isBuffer(data) ? data : Buffer.from(data) });

async function run(args: string[], expectCode?: number): Promise<string> {
  const r = await certformInProcess(args, ENV);
  if (expectCode !== undefined) expect(r.code, `certform ${args.join(" ")}:\n${r.out}`).toBe(expectCode);
  keep(`certform ${args.map((a) => (a.startsWith(stack) ? relative(stack, a) || "." : a)).join(" ")}`, r.out);
  return r.out;
}

function keepFiles(what: string, dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const data = readFileSync(join(entry.parentPath, entry.name));
    // A plan file is gzip-compressed JSON: what matters is what it holds.
    keep(`${what}/${relative(dir, join(entry.parentPath, entry.name))}`, data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data);
  }
}

function httpsGet(url: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { servername, rejectUnauthorized: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  gw = await startGateway({ environment: "prod", node: "prod-1", token: TOKEN });
  pki = await makePki({ hosts: ["api.example.com"] });
  rsa = await leaf({ hosts: ["rsa.example.com"], keyType: "rsa-2048", issuer: pki.intermediate });
  p12 = await leaf({ hosts: ["p12.example.com"], issuer: pki.intermediate });
  const p12File = readFileSync(await exportPkcs12({ leaf: p12, chain: [pki.intermediate.certificate], passphrase: P12_PASS }));
  const header = `apiVersion: certform/v1\nkind: Stack\nname: vault\nenvironments:\n  prod:\n    gateway: { type: embedded, nodes: ["${gw.admin}"], token: "\${env:CERTFORM_SECRETS_TOKEN}" }\n`;
  stack = writeStackDir({
    "stack.yaml": `${header}certificates:
  api:
    certificate: { file: api.pem }
    key: { file: api.key }
    default: true
  rsa:
    certificate: { file: rsa.pem }
    key: { file: rsa.key, passphrase: "\${env:CERTFORM_SECRETS_KEY_PASS}" }
  bundled:
    certificate: { pkcs12: bundled.p12, passphrase: "\${env:CERTFORM_SECRETS_P12_PASS}" }
    key: { pkcs12: bundled.p12, passphrase: "\${env:CERTFORM_SECRETS_P12_PASS}" }
  gen:
    generate: { hosts: ["gen.example.com"], keyType: ec-p256 }
  pending:
    generate: { csr: { hosts: ["pending.example.com"], keyType: rsa-2048 } }
  signed:
    generate: { csr: { subject: "CN=signed.example.com, O=Vault", hosts: ["signed.example.com"] } }
trustedCertificates:
  root: { certificate: { file: root.pem } }
endpoints:
  billing: { url: "https://127.0.0.1:1" }
trustAssignments:
  billing-root: { certificate: root, endpoint: billing }
jwks:
  api-signing: { certificate: api, use: sig }
  rsa-signing: { certificate: rsa, use: sig }
`,
    "api.pem": pki.chainPem,
    "api.key": pki.leaf.keyPem,
    "rsa.pem": `${rsa.pem}${pki.intermediate.pem}`,
    "rsa.key": keyToPem(rsa.key, { passphrase: KEY_PASS }),
    "bundled.p12": p12File,
    "root.pem": pki.root.pem,
  });
  caDir = writeStackDir({ "ca.pem": pki.intermediate.pem, "ca.key": pki.intermediate.keyPem });
  // The same material, wrong: a key for another certificate, a key given as the certificate, a wrong passphrase.
  broken = writeStackDir({
    "stack.yaml": `${header}certificates:
  api:
    certificate: { file: api.pem }
    key: { file: other.key }
  swapped:
    certificate: { file: api.key }
    key: { file: api.key }
  rsa:
    certificate: { file: rsa.pem }
    key: { file: rsa.key, passphrase: "\${env:CERTFORM_SECRETS_P12_PASS}" }
  bundled:
    certificate: { pkcs12: bundled.p12, passphrase: "\${env:CERTFORM_SECRETS_KEY_PASS}" }
    key: { pkcs12: bundled.p12, passphrase: "\${env:CERTFORM_SECRETS_KEY_PASS}" }
`,
    "api.pem": pki.chainPem,
    "api.key": pki.leaf.keyPem,
    "other.key": rsa.keyPem,
    "rsa.pem": `${rsa.pem}${pki.intermediate.pem}`,
    "rsa.key": keyToPem(rsa.key, { passphrase: KEY_PASS }),
    "bundled.p12": p12File,
  });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  for (const dir of [stack, broken, caDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("no private key in anything certform prints or writes", () => {
  it("a full run, collected and searched", async () => {
    const at = (name: string) => join(stack, name);
    for (const format of ["text", "json", "markdown"]) await run(["validate", "--format", format, stack], 0);
    for (const format of ["text", "json", "markdown"]) await run(["plan", "--format", format, stack], 0);
    await run(["plan", "--out", at("changes.plan"), stack], 0);
    await run(["apply", at("changes.plan")], 0);
    await run(["apply", "--auto-approve", "--format", "json", stack], 0);
    await run(["plan", "--detailed-exitcode", stack], 0);
    // Certificates an outside CA signs: the CSRs fetched, one signed and installed with the key the gateway made.
    await run(["csr", "certificates.pending", "--env", "prod", stack], 0);
    await run(["csr", "certificates.signed", "--env", "prod", "--out", at("signed.csr"), stack], 0);
    signCsr(at("signed.csr"), { pem: join(caDir, "ca.pem"), key: join(caDir, "ca.key") }, join(caDir, "signed.pem"));
    writeFileSync(at("signed.pem"), `${readFileSync(join(caDir, "signed.pem"), "utf8")}${pki.intermediate.pem}`);
    writeFileSync(at("stack.yaml"), readFileSync(at("stack.yaml"), "utf8").replace('hosts: ["signed.example.com"] } }\n', 'hosts: ["signed.example.com"] } }\n    certificate: { file: signed.pem }\n'));
    await run(["plan", "--format", "json", stack], 0);
    await run(["apply", "--auto-approve", stack], 0);
    await run(["csr", "certificates.signed", "--env", "prod", stack], 1);
    for (const format of ["text", "json"]) await run(["verify", "--format", format, stack], 0);
    for (const format of ["text", "json", "markdown"]) await run(["list", "--format", format, stack], 0);
    for (const format of ["text", "json", "markdown"]) await run(["expiry", "--within", "36500d", "--format", format, stack], 2);
    for (const format of ["text", "json"]) {
      await run(["inspect", "--format", format, at("api.pem")], 0);
      await run(["inspect", "--format", format, at("api.key")], 0);
      await run(["inspect", "--format", format, "--passphrase-env", "CERTFORM_SECRETS_KEY_PASS", at("rsa.key")], 0);
      await run(["inspect", "--format", format, "--passphrase-env", "CERTFORM_SECRETS_P12_PASS", at("bundled.p12")], 0);
      await run(["inspect", "--format", format, "--servername", "gen.example.com", gw.listen], 0);
    }
    await run(["export", "--env", "prod", "--out", at("bundle.zip"), stack], 0);
    await run(["export", "--env", "prod", "--all", "--format", "json", stack], 0);
    for (const [name, data] of readZip(readFileSync(at("bundle.zip")), DEFAULT_LIMITS)) keep(`bundle.zip/${name}`, data);
    for (const address of ["certificates.api", "certificates.gen", "certificates.signed", "trustedCertificates.root"]) {
      await run(["export-cert", address, "--env", "prod", "--chain", stack], 0);
      await run(["export-cert", address, "--env", "prod", "--format", "der", "--out", at(`${address}.der`), stack], 0);
    }
    await run(["import", at("bundle.zip"), "--env", "staging", "--out", at("imported"), "--node", gw.admin], 0);
    // Errors, in every format they come in.
    for (const format of ["text", "json", "markdown"]) await run(["validate", "--format", format, broken], 1);
    await run(["plan", broken], 1);
    await run(["apply", "--auto-approve", "--format", "json", broken], 1);
    await run(["inspect", at("api.key"), "--passphrase-env", "CERTFORM_SECRETS_KEY_PASS"], 0);
    await run(["inspect", "--passphrase-env", "CERTFORM_SECRETS_KEY_PASS", at("bundled.p12")], 1);
    await run(["apply", at("changes.plan")], 1);

    // What the gateway serves and says: every collection and object of its admin API, its metrics, its JWKS.
    const auth = { authorization: `Bearer ${TOKEN}` };
    keep("GET /v1/status", (await api(gw.admin, "GET", "/v1/status", undefined, auth)).text);
    keep("GET /metrics", (await api(gw.admin, "GET", "/metrics", undefined, auth)).text);
    keep("GET /v1/transfer-key", (await api(gw.admin, "GET", "/v1/transfer-key", undefined, auth)).text);
    for (const collection of ["certificates", "trusted", "endpoints", "trust", "jwks", "requests"]) {
      const list = await api(gw.admin, "GET", `/v1/${collection}`, undefined, auth);
      expect(list.status).toBe(200);
      keep(`GET /v1/${collection}`, list.text);
      const items = (Array.isArray(list.body) ? list.body : (Object.values(list.body).find(Array.isArray) ?? [])) as { name?: string; alias?: string }[];
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) keep(`GET /v1/${collection}/${item.name ?? item.alias}`, (await api(gw.admin, "GET", `/v1/${collection}/${encodeURIComponent(item.name ?? item.alias!)}`, undefined, auth)).text);
    }
    // Writes the gateway refuses: its errors must not quote the key they were sent.
    for (const [what, key] of [["a key of another certificate", rsa.keyPem], ["a key cut short", pki.leaf.keyPem.slice(0, 150)], ["a key as the chain", pki.leaf.keyPem]] as const) {
      const body = what === "a key as the chain" ? { chain: key, key } : { chain: pki.chainPem, key };
      const r = await api(gw.admin, "PUT", "/v1/certificates/refused", body, auth);
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
      keep(`PUT /v1/certificates/refused with ${what}`, r.text);
    }
    keep("GET /.well-known/jwks.json", await httpsGet(`${gw.listen}/.well-known/jwks.json`, "api.example.com"));
    keep("gateway log", gw.output.join("\n"));
    // Every file certform wrote beside the stacks: plan files, exported files, the imported stack, .certform/.
    keepFiles("stack", stack);

    const generated = await storedKeys(gw.dataDir);
    expect(generated.length).toBeGreaterThanOrEqual(4);
    expect(generated.length).toBeGreaterThanOrEqual(6);
    const fixtures = [pki.root, pki.intermediate, pki.leaf, rsa, p12].map((i) => i.key);
    const secrets = [...fixtures, ...generated].flatMap((k) => secretsOf(k));
    const files = new Set([at("api.key"), at("rsa.key"), at("bundled.p12")].map((p) => relative(stack, p)));

    const found: string[] = [];
    for (const { what, data } of collected) {
      // The key files themselves are inputs the test wrote, not output.
      if (what.startsWith("stack/") && files.has(what.slice("stack/".length))) continue;
      const text = data.toString("latin1");
      if (/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) found.push(`${what}: an unencrypted PEM private key`);
      if (JWK_PRIVATE_MEMBER.test(text)) found.push(`${what}: a JWK private member`);
      for (const secret of secrets) {
        const echoes = [...keyEchoes(text, secret, { hexBytes: 6 }), ...rawEchoes(data, secret)];
        if (echoes.length > 0) found.push(`${what}: ${echoes.slice(0, 3).join(", ")}`);
      }
    }
    expect(found).toEqual([]);
    expect(collected.length).toBeGreaterThan(60);
  }, 120_000);

  it("the gateway keeps its store to its own user", () => {
    expect(statSync(gw.dataDir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(gw.dataDir)) expect(statSync(join(gw.dataDir, f)).mode & 0o077).toBe(0);
  });
});
