import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStack } from "./index.js";
import { daysAgo, daysFromNow, issue, keyToPem, leaf, makeCa, makeIntermediate, makePki, toDer, toPem, type Pki } from "../../test/support/pki.js";
import { ENVIRONMENTS, HEADER, only, positionOf, writeStackDir } from "../../test/support/stack.js";

let pki: Pki;
let server: Server;
let serverUrl: string;

beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com", "*.api.example.com"] });
  server = createServer({ cert: pki.chainPem, key: pki.leaf.keyPem }, (_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  serverUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function validate(body: string, files: Record<string, string | Buffer> = {}, env: NodeJS.ProcessEnv = {}) {
  const text = HEADER + ENVIRONMENTS + body;
  const dir = writeStackDir({ "stack.yaml": text, ...files });
  const { diagnostics, state } = await readStack([join(dir, "stack.yaml")], { env });
  // Every finding, whatever stage made it, names its file, line and column.
  for (const d of diagnostics) {
    expect(d.file).toMatch(/stack\.yaml$/);
    expect(d.line).toBeGreaterThan(0);
    expect(d.column).toBeGreaterThan(0);
  }
  return { diagnostics, state, text, errors: diagnostics.filter((d) => d.severity === "error") };
}

const serverCert = (extra = "") => `certificates:
  api:
    certificate: { file: api.pem }
    key: { file: api.key }
${extra}`;

describe("certificate material in a stack", () => {
  it("a good chain, key and hosts validate with no finding, and the material is attached", async () => {
    const { diagnostics, state } = await validate(serverCert('    hosts: ["api.example.com", "v1.api.example.com"]\n'), { "api.pem": pki.chainPem, "api.key": pki.leaf.keyPem });
    expect(diagnostics.filter((d) => d.code !== "chain-incomplete")).toEqual([]);
    const api = state!.environments[1]!.certificates[0]!;
    expect(api.address).toBe("certificates.api[prod]");
    expect(api.material?.chain.map((c) => c.fingerprint256)).toEqual(pki.chain.map((c) => c.fingerprint256));
  });

  it("key-mismatch points at the key", async () => {
    const other = await leaf({ hosts: ["api.example.com"] });
    const { diagnostics, text } = await validate(serverCert(), { "api.pem": pki.chainPem, "api.key": other.keyPem });
    const d = only(diagnostics, "key-mismatch");
    expect(d).toMatchObject({ severity: "error", ...positionOf(text, "key:"), address: "certificates.api[dev]" });
  });

  it("chain-order: an intermediate before the leaf", async () => {
    const { diagnostics } = await validate(serverCert(), { "api.pem": toPem([pki.intermediate.certificate, pki.leaf.certificate]), "api.key": pki.leaf.keyPem });
    expect(only(diagnostics, "chain-order").severity).toBe("error");
  });

  it("no-san and host-not-covered (at the host), with wildcards per RFC 6125", async () => {
    const cnOnly = await leaf({ noSan: true, subject: "CN=api.example.com" });
    const r1 = await validate(serverCert(), { "api.pem": cnOnly.pem, "api.key": cnOnly.keyPem });
    expect(only(r1.diagnostics, "no-san").severity).toBe("error");

    const r2 = await validate(serverCert('    hosts: ["a.api.example.com", "a.b.api.example.com"]\n'), { "api.pem": pki.chainPem, "api.key": pki.leaf.keyPem });
    const d = only(r2.diagnostics, "host-not-covered");
    expect(d).toMatchObject(positionOf(r2.text, "hosts:"));
    expect(d.message).toContain("a.b.api.example.com");
  });

  it("expired server and trusted certificates are errors; not yet valid is a warning", async () => {
    const expired = await leaf({ hosts: ["api.example.com"], notBefore: daysAgo(100), notAfter: daysAgo(1) });
    const future = await leaf({ hosts: ["api.example.com"], notBefore: daysFromNow(2), notAfter: daysFromNow(200) });
    const r = await validate(
      `${serverCert()}trustedCertificates:
  old-ca: { certificate: { file: expired.pem } }
  new-ca: { certificate: { file: future.pem } }
`,
      { "api.pem": expired.pem, "api.key": expired.keyPem, "expired.pem": expired.pem, "future.pem": future.pem },
    );
    const expiredFindings = r.diagnostics.filter((d) => d.code === "expired");
    expect(expiredFindings.map((d) => d.address?.replace(/\[.*\]/, "")).sort()).toEqual(["certificates.api", "trustedCertificates.old-ca"]);
    expect(only(r.diagnostics, "not-yet-valid").severity).toBe("warning");
  });

  it("warnings: expiring inside alerts.warnBefore, RSA under 2048 bits, SHA-1, chain-incomplete, duplicate content", async () => {
    const soon = await leaf({ hosts: ["api.example.com"], notAfter: daysFromNow(10) });
    const weak = await issue({ hosts: ["weak.example.com"], keyType: "rsa-1024", isCA: true, subject: "CN=weak" });
    // A root's own signature is never checked by clients, so SHA-1 matters on issued certificates.
    const sha1 = await issue({ issuer: await makeCa(), hosts: ["sha1.example.com"], signatureHash: "SHA-1", isCA: true, subject: "CN=sha1" });
    const r = await validate(
      `${serverCert()}trustedCertificates:
  weak: { certificate: { file: weak.pem } }
  sha1: { certificate: { file: sha1.pem } }
  again: { certificate: { file: sha1.pem } }
alerts: { warnBefore: 14d }
`,
      { "api.pem": soon.pem, "api.key": soon.keyPem, "weak.pem": weak.pem, "sha1.pem": sha1.pem },
    );
    expect(r.errors).toEqual([]);
    expect(only(r.diagnostics, "expiring").message).toMatch(/expires/);
    expect(only(r.diagnostics, "weak-key").address).toBe("trustedCertificates.weak[dev]");
    expect(r.diagnostics.filter((d) => d.code === "sha1-signature").length).toBeGreaterThanOrEqual(1);
    expect(only(r.diagnostics, "duplicate-content").address).toBe("trustedCertificates.again[dev]");

    const ca = await makeCa();
    const inter = await makeIntermediate(ca);
    const l = await leaf({ hosts: ["api.example.com"], issuer: inter });
    const r2 = await validate(serverCert(), { "api.pem": l.pem, "api.key": l.keyPem });
    expect(only(r2.diagnostics, "chain-incomplete").severity).toBe("warning");
  });

  it("every source decodes: DER file, pem inline, BASE64 and BASE64PEM, env key", async () => {
    const b64 = toDer(pki.root.certificate).toString("base64");
    const b64pem = Buffer.from(pki.root.pem).toString("base64");
    const r = await validate(
      `certificates:
  api:
    certificate: { file: api.pem }
    key: { env: API_KEY }
trustedCertificates:
  der: { certificate: { file: root.der } }
  inline: { alias: inline-root, certificate: { pem: ${JSON.stringify(pki.intermediate.pem)} } }
  b64: { certificate: { base64: "${b64}", encoding: BASE64 } }
  b64pem: { certificate: { base64: "${b64pem}", encoding: BASE64PEM } }
`,
      { "api.pem": pki.chainPem, "root.der": toDer(pki.root.certificate) },
      { API_KEY: keyToPem(pki.leaf.key) },
    );
    expect(r.errors).toEqual([]);
    const fps = r.state!.environments[0]!.trustedCertificates.map((t) => t.material?.chain[0]?.fingerprint256);
    expect(fps).toEqual([pki.root.certificate.fingerprint256, pki.intermediate.certificate.fingerprint256, pki.root.certificate.fingerprint256, pki.root.certificate.fingerprint256]);
  });

  it("base64 with characters outside its alphabet is an error, never cleaned", async () => {
    const r = await validate(`trustedCertificates:
  b64: { certificate: { base64: "MIIB*AAA", encoding: BASE64 } }
`);
    const d = only(r.diagnostics, "base64-invalid");
    expect(d).toMatchObject(positionOf(r.text, '"MIIB*AAA"'));
  });

  it("undecodable material and a CSR where a certificate belongs say what they are", async () => {
    const r = await validate(`trustedCertificates:
  junk: { certificate: { pem: "hello" } }
  key: { certificate: { file: key.pem } }
`, { "key.pem": pki.leaf.keyPem });
    expect(r.diagnostics.find((d) => d.address === "trustedCertificates.junk[dev]")?.severity).toBe("error");
    const d = only(r.diagnostics, "key-not-certificate");
    expect(d.message).toContain("private key where a certificate was expected");
    expect(JSON.stringify(r.diagnostics)).not.toContain("PRIVATE KEY-----");
  });

  it("a missing file names the path it looked for", async () => {
    const r = await validate(serverCert(), {});
    const d = r.diagnostics.find((x) => x.code === "file-not-found")!;
    expect(d).toMatchObject(positionOf(r.text, "api.pem"));
    expect(d.message).toContain("api.pem does not exist");
  });

  it("url sources are captured from a live TLS server and the sha256 pin is checked", async () => {
    const good = await validate(`trustedCertificates:
  root: { certificate: { url: "${serverUrl}", select: root } }
  pinned: { certificate: { url: "${serverUrl}", select: leaf, sha256: "${pki.leaf.certificate.fingerprint256}" } }
`);
    expect(good.errors).toEqual([]);
    expect(good.state!.environments[0]!.trustedCertificates[0]!.material?.chain[0]?.fingerprint256).toBe(pki.intermediate.certificate.fingerprint256);

    const wrongPin = pki.root.certificate.fingerprint256;
    const bad = await validate(`trustedCertificates:
  pinned: { certificate: { url: "${serverUrl}", sha256: "${wrongPin}" } }
`);
    const d = only(bad.diagnostics, "pin-mismatch");
    expect(d).toMatchObject(positionOf(bad.text, `"${wrongPin}"`));
  });
});
