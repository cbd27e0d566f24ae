import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InspectReportSchema } from "../src/model/inspect-report.js";
import { certform as runCli, type CliResult } from "./support/cli.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { leaf, makeCa, makeKeystore, makePki, writeFiles, type Issued, type Pki } from "./support/pki.js";
import { positionOf } from "./support/stack.js";

// Java keystores as sources, in inspect and in import: JKS and JCEKS files made here by keytool from material
// the test generates, read by certform, applied to a real gateway and served over TLS.

const STORE_PASS = "store-pass-1";
const KEY_PASS = "key-pass-2";
const PASSES = { KS_PASS: STORE_PASS, KS_KEY_PASS: KEY_PASS };

let gw: GatewayProcess;
/** The gateway that the imported stack is applied to. */
let target: GatewayProcess;
let work: string;
let pki: Pki;
let www: Issued;
let partner: Issued;
let backend: Issued;
let jks: string;
let jceks: string;
let truststore: string;
/** A JKS keystore holding an Ed25519 key, which jks-js cannot read. */
let ed25519Jks: string;

/** An Ed25519 self-signed certificate and key made by openssl (certform's generator makes RSA and EC only). */
function ed25519Leaf(dir: string): Issued {
  const [key, cert] = [join(dir, "ed.key"), join(dir, "ed.pem")];
  execFileSync("openssl", ["req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=ed.example.com", "-addext", "subjectAltName=DNS:ed.example.com", "-days", "30"], { stdio: "pipe" });
  const pem = readFileSync(cert, "utf8");
  const keyPem = readFileSync(key, "utf8");
  const certificate = new X509Certificate(pem);
  return { certificate, key: createPrivateKey(keyPem), pem, der: certificate.raw, keyPem };
}

/** A handshake that verifies the served chain against `ca` for `servername`: resolves when the client accepts it. */
function verifiedHandshake(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername, ca, rejectUnauthorized: true }, () => {
      const leaf = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(leaf);
    });
    socket.once("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error("handshake timed out")));
  });
}

/** Runs the real CLI and checks that nothing it prints shows a key. */
async function certform(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(args, { env, cwd: work });
  expect(r.stdout + r.stderr).not.toContain("PRIVATE KEY");
  return r;
}

function stack(dir: string, body: string): string {
  const text = `apiVersion: certform/v1
kind: Stack
name: keystores
environments:
  dev:
    gateway: { type: embedded, nodes: ["${gw.admin}"] }
${body}`;
  writeFileSync(join(dir, "stack.yaml"), text);
  return text;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "certform-keystores-"));
  pki = await makePki({ hosts: ["api.example.com"] });
  [www, partner, backend] = await Promise.all([leaf({ hosts: ["www.example.com"], issuer: pki.intermediate, keyType: "rsa-2048" }), makeCa({ subject: "CN=Partner CA" }), makeCa({ subject: "CN=Backend CA" })]);
  [gw, target] = await Promise.all([startGateway({ environment: "dev", node: "dev-1" }), startGateway({ environment: "dev", node: "dev-2" })]);
  // The key password differs from the store's, as in wso2carbon.jks set up by hand.
  jks = await makeKeystore({
    type: "JKS",
    passphrase: STORE_PASS,
    path: join(work, "server.jks"),
    keys: [{ alias: "api", leaf: pki.leaf, chain: [pki.intermediate.certificate], keyPassphrase: KEY_PASS }],
    trusted: [{ alias: "partner-ca", pem: partner.pem }],
  });
  // JCEKS keys take many iterations to open: one key entry only. Its name says nothing of its type.
  jceks = await makeKeystore({ type: "JCEKS", passphrase: STORE_PASS, path: join(work, "www.keystore"), keys: [{ alias: "www", leaf: www, chain: [pki.intermediate.certificate] }] });
  truststore = await makeKeystore({
    type: "JKS",
    passphrase: STORE_PASS,
    path: join(work, "client-truststore.jks"),
    trusted: [{ alias: "partner-ca", pem: partner.pem }, { alias: "backend-ca", pem: backend.pem }],
    keys: [{ alias: "wso2carbon", leaf: pki.leaf }],
  });
  ed25519Jks = await makeKeystore({ type: "JKS", passphrase: STORE_PASS, path: join(work, "ed.jks"), keys: [{ alias: "ed", leaf: ed25519Leaf(work) }] });
}, 120_000);

afterAll(async () => {
  await Promise.all([gw?.stop(), target?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe("keystore sources", () => {
  it("serves a JKS and a JCEKS private-key entry, and trusts a JKS trusted-certificate entry, on a real gateway", async () => {
    const dir = mkdtempSync(join(work, "apply-"));
    stack(
      dir,
      `certificates:
  api:
    certificate: { file: ${jks}, alias: api, passphrase: { env: KS_PASS }, keyPassphrase: "\${env:KS_KEY_PASS}" }
  www:
    certificate: { file: ${jceks}, alias: www, passphrase: "\${env:KS_PASS}" }
trustedCertificates:
  partner:
    alias: partner-ca
    certificate: { file: ${jks}, alias: PARTNER-CA, passphrase: "\${env:KS_PASS}" }
`,
    );
    const validate = await certform(["validate", dir, "--format", "json"], PASSES);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, errors: [] });

    const applied = await certform(["apply", dir, "--auto-approve"], PASSES);
    expect(applied.stdout + applied.stderr).toContain("Apply complete!");
    expect(applied.code).toBe(0);

    // The keystores' chains hold the intermediate: a client that trusts only the root accepts both.
    expect(await verifiedHandshake(gw.listenPort, "api.example.com", pki.root.pem)).toBe(pki.leaf.certificate.fingerprint256);
    expect(await verifiedHandshake(gw.listenPort, "www.example.com", pki.root.pem)).toBe(www.certificate.fingerprint256);
    expect((await api(gw.admin, "GET", "/v1/trusted/partner-ca")).body.fingerprint256).toBe(partner.certificate.fingerprint256);

    const again = await certform(["plan", dir, "--detailed-exitcode"], PASSES);
    expect(again.code).toBe(0);
  }, 180_000);

  it("refuses a wrong passphrase, a missing alias (listing the aliases), the wrong entry type, a wrong key password and an Ed25519 key in JKS, each at its place", async () => {
    const dir = mkdtempSync(join(work, "errors-"));
    const text = stack(
      dir,
      `certificates:
  api:
    certificate: { file: ${jks}, alias: api, passphrase: "\${env:KS_PASS}" }
  partner:
    certificate: { file: ${jks}, alias: partner-ca, passphrase: "\${env:KS_PASS}" }
  ed:
    certificate: { file: ${ed25519Jks}, alias: ed, passphrase: "\${env:KS_PASS}" }
trustedCertificates:
  missing:
    certificate: { file: ${jks}, alias: nobody, passphrase: "\${env:KS_PASS}" }
  wrong:
    certificate: { file: ${jks}, alias: partner-ca, passphrase: "\${env:WRONG_PASS}" }
  pem:
    certificate: { file: partner.pem, alias: partner-ca }
`,
    );
    writeFileSync(join(dir, "partner.pem"), partner.pem);
    const r = await certform(["validate", dir, "--format", "json"], { ...PASSES, WRONG_PASS: "not-it" });
    expect(r.code).toBe(1);
    const errors = JSON.parse(r.stdout).errors as { code: string; line: number; column: number; address: string; message: string; hint: string }[];
    const at = (code: string) => errors.find((e) => e.code === code)!;
    const place = (needle: string, nth = 1) => positionOf(text, needle, nth);

    expect(at("keystore-key-passphrase")).toMatchObject({ address: "certificates.api[dev]", ...place('"${env:KS_PASS}"') });
    expect(at("keystore-key-passphrase").message).toContain(`the key password does not open the private key of alias "api" of keystore ${jks} (JKS)`);
    expect(at("keystore-key-passphrase").hint).toContain("keyPassphrase: ${env:VAR}");

    expect(at("keystore-entry-type")).toMatchObject({ address: "certificates.partner[dev]", ...place("partner-ca", 1) });
    expect(at("keystore-entry-type").message).toContain('alias "partner-ca" of keystore');
    expect(at("keystore-entry-type").message).toContain("is a trusted certificate entry, where a private key entry is needed");

    expect(at("keystore-alias-missing")).toMatchObject({ address: "trustedCertificates.missing[dev]", ...place("nobody") });
    expect(at("keystore-alias-missing").message).toContain(`keystore ${jks} (JKS) has no entry with alias "nobody"; it holds: "api" (private key), "partner-ca" (trusted certificate)`);

    expect(at("keystore-passphrase")).toMatchObject({ address: "trustedCertificates.wrong[dev]", ...place('"${env:WRONG_PASS}"') });
    expect(at("keystore-passphrase").hint).toContain("store password");

    expect(at("keystore-unsupported")).toMatchObject({ address: "certificates.ed[dev]", ...place(ed25519Jks) });
    expect(at("keystore-unsupported").message).toContain(`the private key of alias "ed" of keystore ${ed25519Jks} (JKS) cannot be read: its key algorithm 1.3.101.112 (Ed25519) is not one certform reads from a JKS file`);
    expect(at("keystore-unsupported").hint).toContain("keytool -importkeystore -deststoretype PKCS12 and use a pkcs12 source");

    expect(at("keystore-fields-unused")).toMatchObject({ address: "trustedCertificates.pem[dev]", ...place("partner-ca }") });
    expect(at("keystore-fields-unused").message).toContain("alias applies to a JKS or JCEKS keystore, and partner.pem is not one");
  }, 120_000);
});

describe("certform inspect KEYSTORE", () => {
  it("lists a JKS keystore's entries as text and as JSON, keys unopened", async () => {
    const text = await certform(["inspect", jks, "--passphrase-env", "KS_PASS"], PASSES);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`JKS keystore ${jks}: 2 entries (integrity checked)`);
    expect(text.stdout).toMatch(/Alias\s+Type\s+Subject\s+Not after\s+Status/);
    expect(text.stdout).toMatch(new RegExp(`api\\s+private key \\(chain of 2\\)\\s+CN=api\\.example\\.com\\s+${new Date(pki.leaf.certificate.validTo).toISOString()}\\s+\\d+ days left`));
    expect(text.stdout).toMatch(/partner-ca\s+trusted certificate\s+CN=Partner CA/);

    const json = await certform(["inspect", jks, "--passphrase-env", "KS_PASS", "--format", "json"], PASSES);
    const report = InspectReportSchema.parse(JSON.parse(json.stdout));
    expect(report).toMatchObject({
      kind: "keystore",
      keystoreType: "JKS",
      integrityChecked: true,
      entries: [
        { alias: "api", type: "privateKey", chainLength: 2, subject: "CN=api.example.com", notAfter: new Date(pki.leaf.certificate.validTo).toISOString(), fingerprints: { sha256: pki.leaf.certificate.fingerprint256 } },
        { alias: "partner-ca", type: "trustedCertificate", chainLength: 1, subject: "CN=Partner CA", fingerprints: { sha256: partner.certificate.fingerprint256 } },
      ],
    });
  }, 60_000);

  it("lists a JCEKS keystore by its content, whatever its name; without a passphrase unchecked, with a wrong one refused", async () => {
    const unchecked = await certform(["inspect", jceks, "--format", "json"]);
    expect(unchecked.code).toBe(0);
    expect(JSON.parse(unchecked.stdout)).toMatchObject({ kind: "keystore", keystoreType: "JCEKS", integrityChecked: false, entries: [{ alias: "www", type: "privateKey", subject: "CN=www.example.com" }] });
    expect(unchecked.stderr).toContain("the keystore's integrity was not checked");

    const wrong = await certform(["inspect", jceks, "--passphrase-env", "KS_PASS", "--format", "json"], { KS_PASS: "wrong-one" });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).error).toMatchObject({ code: "keystore-passphrase", message: `the passphrase does not open keystore ${jceks} (JCEKS): its integrity check fails` });
  }, 60_000);
});

describe("certform import --truststore", () => {
  it("adds each trusted-certificate entry of a WSO2 truststore to the imported stack, aliases kept", async () => {
    const exportDir = mkdtempSync(join(work, "apictl-"));
    await writeFiles(exportDir, {
      "PizzaShackAPI-1.0.0/api.yaml": "type: api\nversion: v4.2.0\ndata:\n  name: PizzaShackAPI\n  context: /pizzashack\n  version: 1.0.0\n  endpointConfig:\n    endpoint_type: http\n    production_endpoints:\n      url: https://pizza.backend.internal:9443/api\n",
      "PizzaShackAPI-1.0.0/Endpoint-certificates/endpoint_certificates.yaml": "type: endpoint_certificates\nversion: v4.2.0\ndata:\n  -\n    alias: backend-ca\n    endpoint: https://pizza.backend.internal:9443/api\n    certificate: backend.crt\n",
      "PizzaShackAPI-1.0.0/Endpoint-certificates/backend.crt": backend.pem,
    });
    const out = join(work, "imported");
    const r = await certform(["import", exportDir, "--env", "dev", "--out", out, "--node", target.admin, "--truststore", truststore, "--passphrase-env", "TRUST_PASS"], { TRUST_PASS: STORE_PASS });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // backend-ca is in the export and the truststore: one trusted certificate.
    expect(r.stdout).toContain("as stack pizzashackapi, environment dev: 2 trusted certificates, 1 endpoint, 1 trust assignment.");
    expect(r.stdout).toContain(`note: alias "wso2carbon" of truststore ${truststore} is a private-key entry: left out`);
    const yaml = readFileSync(join(out, "pizzashackapi.yaml"), "utf8");
    expect(yaml).toMatch(/trustedCertificates:\n  backend-ca:\n/);
    expect(yaml).toMatch(/\n  partner-ca:\n/);
    expect(yaml).not.toContain("wso2carbon");

    const validate = await certform(["validate", out]);
    expect(validate.code).toBe(0);
    const applied = await certform(["apply", out, "--auto-approve"]);
    expect(applied.stdout + applied.stderr).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    expect((await api(target.admin, "GET", "/v1/trusted/partner-ca")).body.fingerprint256).toBe(partner.certificate.fingerprint256);
    expect((await api(target.admin, "GET", "/v1/trusted/backend-ca")).body.fingerprint256).toBe(backend.certificate.fingerprint256);
  }, 180_000);

  it("refuses a truststore whose passphrase is wrong, and --truststore without --passphrase-env; nothing written", async () => {
    const bad = await certform(["import", join(work, "apictl-none"), "--env", "dev", "--out", join(work, "never"), "--truststore", truststore]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("--truststore needs the truststore's passphrase");
    const exportDir = mkdtempSync(join(work, "apictl-"));
    await writeFiles(exportDir, { "A-1.0.0/api.yaml": "type: api\nversion: v4.2.0\ndata:\n  name: A\n  context: /a\n  version: 1.0.0\n" });
    const wrong = await certform(["import", exportDir, "--env", "dev", "--out", join(work, "never"), "--truststore", truststore, "--passphrase-env", "TRUST_PASS"], { TRUST_PASS: "nope" });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`error[keystore-passphrase] the passphrase does not open keystore ${truststore} (JKS)`);
    expect(wrong.stdout).toContain("Nothing was written.");
  }, 60_000);
});
