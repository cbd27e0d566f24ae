import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InspectReportSchema } from "../src/model/inspect-report.js";
import { certform as runCli, type CliResult } from "./support/cli.js";
import { keyEchoes } from "./support/key-echoes.js";
import { daysAgo, daysFromNow, exportPkcs12, keyToDer, keyToPem, leaf, makePki, tempDir, writeFiles, type Pki } from "./support/pki.js";


/** Runs the real CLI, as a user would, and checks that nothing it prints ever shows a key. */
async function certform(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli(args, { env });
  expect(result.stdout + result.stderr).not.toContain("PRIVATE KEY");
  return result;
}

let pki: Pki;
let dir: string;
let files: Record<"chain" | "der" | "key" | "encKey" | "combined" | "expired" | "csr" | "junk" | "b64Pkcs8" | "b64Sec1" | "cutDer", string>;
let server: Server;
let port: number;

beforeAll(async () => {
  // Half a day of margin keeps daysLeft stable however long the test takes.
  pki = await makePki({ hosts: ["api.example.com", "127.0.0.1"], leaf: { notAfter: daysFromNow(90.5) } });
  dir = await tempDir("certform-inspect-");
  const expired = await leaf({ hosts: ["old.example.com"], notBefore: daysAgo(100), notAfter: daysAgo(5.5) });
  files = await writeFiles(dir, {
    chain: pki.chainPem,
    der: pki.leaf.der,
    key: pki.leaf.keyPem,
    encKey: keyToPem(pki.leaf.key, { passphrase: "kpw" }),
    combined: pki.leaf.pem + pki.leaf.keyPem + pki.intermediate.pem,
    expired: expired.pem,
    csr: "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n",
    junk: "hello\n",
    b64Pkcs8: `${keyToDer(pki.leaf.key).toString("base64")}\n`,
    b64Sec1: keyToDer(pki.leaf.key, { format: "sec1" }).toString("base64").replace(/.{64}/g, "$&\n"),
    cutDer: keyToDer(pki.leaf.key, { format: "sec1" }).subarray(3),
  });
  server = createServer({ cert: pki.chainPem, key: pki.leaf.keyPem }, (_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("certform inspect", () => {
  it("shows a PEM chain: subject, issuer, serial, SANs, validity, status, fingerprints, key, signature, links", async () => {
    const r = await certform(["inspect", files.chain]);
    expect(r.code).toBe(0);
    const cert = pki.leaf.certificate;
    expect(r.stdout).toContain(`2 certificates in ${files.chain}`);
    expect(r.stdout).toContain("Certificate 1 of 2 (leaf)");
    expect(r.stdout).toMatch(/Subject\s+CN=api\.example\.com\n/);
    expect(r.stdout).toMatch(/Issuer\s+CN=certform Test Intermediate CA, O=certform tests\n/);
    expect(r.stdout).toContain(cert.serialNumber);
    expect(r.stdout).toMatch(/SANs\s+DNS:api\.example\.com, IP:127\.0\.0\.1/);
    expect(r.stdout).toMatch(/Valid\s+\S+ → \S+ \(90 days left\)/);
    expect(r.stdout).toMatch(/Status\s+Active/);
    expect(r.stdout).toContain(`SHA-256     ${cert.fingerprint256}`);
    expect(r.stdout).toContain(`SHA-1       ${cert.fingerprint}`);
    expect(r.stdout).toMatch(/Public key\s+EC P-256, fingerprint [0-9A-F:]+/);
    expect(r.stdout).toMatch(/Signature\s+ecdsa-with-SHA256/);
    expect(r.stdout).toMatch(/Issued by\s+certificate 2, signature verifies/);
    expect(r.stdout).toContain("Certificate 2 of 2 (intermediate)");
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("shows an expired certificate as Expired with negative days", async () => {
    const r = await certform(["inspect", files.expired, "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ kind: "certificate", status: "Expired", daysLeft: -6, subject: "CN=old.example.com" });
    const text = await certform(["inspect", files.expired]);
    expect(text.stdout).toMatch(/Status\s+Expired/);
    expect(text.stdout).toMatch(/\(expired on \d{4}-\d\d-\d\d\)/);
  });

  it("prints exactly one JSON document for a DER certificate, valid against the schema", async () => {
    const r = await certform(["inspect", files.der, "--format", "json"]);
    expect(r.code).toBe(0);
    const report = InspectReportSchema.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({
      format_version: "1",
      kind: "certificate",
      source: files.der,
      subject: "CN=api.example.com",
      serialNumber: pki.leaf.certificate.serialNumber,
      sans: ["DNS:api.example.com", "IP:127.0.0.1"],
      daysLeft: 90,
      status: "Active",
      fingerprints: { sha256: pki.leaf.certificate.fingerprint256, sha1: pki.leaf.certificate.fingerprint },
      publicKey: { type: "EC", curve: "P-256" },
      signatureAlgorithm: "ecdsa-with-SHA256",
    });
    expect((report as { chain: unknown[] }).chain).toHaveLength(1);
  });

  it("shows a PKCS#12 bundle's chain, key and friendly name with --passphrase-env", async () => {
    const p12 = await exportPkcs12({ leaf: pki.leaf, chain: [pki.intermediate.certificate, pki.root.certificate], passphrase: "p12-pass", friendlyName: "api" });
    const r = await certform(["inspect", p12, "--passphrase-env", "P12_PASS", "--format", "json"], { P12_PASS: "p12-pass" });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    InspectReportSchema.parse(report);
    expect(report.kind).toBe("pkcs12");
    expect(report.friendlyNames).toEqual(["api"]);
    expect(report.chain.map((c: { subject: string }) => c.subject)).toEqual([
      "CN=api.example.com",
      "CN=certform Test Intermediate CA, O=certform tests",
      "CN=certform Test Root CA, O=certform tests",
    ]);
    expect(report.chain.map((c: { link?: { verifies: boolean } }) => c.link?.verifies)).toEqual([true, true, undefined]);
    expect(report.chain[2].selfSigned).toBe(true);
    expect(report.key).toMatchObject({ type: "EC", curve: "P-256", matchesLeaf: true });

    const text = await certform(["inspect", p12, "--passphrase-env", "P12_PASS"], { P12_PASS: "p12-pass" });
    expect(text.stdout).toContain("3 certificates in PKCS#12");
    expect(text.stdout).toMatch(/Leaf\s+matches the leaf/);
    expect(text.stdout).toMatch(/Friendly names api/);

    const wrong = await certform(["inspect", p12, "--passphrase-env", "P12_PASS", "--format", "json"], { P12_PASS: "nope" });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toEqual({ error: { code: "pkcs12-passphrase", message: "PKCS#12 passphrase is wrong", hint: expect.any(String) } });
    expect(wrong.stderr).toContain("PKCS#12 passphrase is wrong");

    const missing = await certform(["inspect", p12]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--passphrase-env/);

    const unset = await certform(["inspect", p12, "--passphrase-env", "CERTFORM_TEST_UNSET_VAR"]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('"CERTFORM_TEST_UNSET_VAR", which is not set');
  });

  it("shows what an https:// server presents", async () => {
    const r = await certform(["inspect", `https://127.0.0.1:${port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`2 certificates presented by https://127.0.0.1:${port}`);
    expect(r.stdout).toContain(pki.leaf.certificate.fingerprint256);
    expect(r.stdout).toContain(pki.intermediate.certificate.fingerprint256);
    const json = JSON.parse((await certform(["inspect", `https://127.0.0.1:${port}`, "--format", "json"])).stdout);
    expect(json).toMatchObject({ kind: "url", source: `https://127.0.0.1:${port}`, subject: "CN=api.example.com" });
  });

  it("describes a key by type and fingerprint, never the key", async () => {
    const r = await certform(["inspect", files.key, "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(["format_version", "key", "kind", "source"]);
    expect(report.key).toEqual({ type: "EC", bits: 256, curve: "P-256", fingerprint256: expect.stringMatching(/^[0-9A-F:]+$/) });
    expect((await certform(["inspect", files.key])).stdout).toMatch(/Private key .*\n\s+Type\s+EC P-256, fingerprint/);
  });

  it("needs --passphrase-env for an encrypted key", async () => {
    const missing = await certform(["inspect", files.encKey]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/encrypted and no passphrase/);
    const ok = await certform(["inspect", files.encKey, "--passphrase-env", "KEY_PASS"], { KEY_PASS: "kpw" });
    expect(ok.code).toBe(0);
  });

  it("describes the key of a combined certificate + key file and whether it matches", async () => {
    const report = JSON.parse((await certform(["inspect", files.combined, "--format", "json"])).stdout);
    expect(report.key).toMatchObject({ matchesLeaf: true });
    expect(report.chain).toHaveLength(2);
  });

  it("says a bare base64 key needs PEM armour, and never shows any of it", async () => {
    const cases: [string, Buffer, RegExp][] = [
      [files.b64Pkcs8, keyToDer(pki.leaf.key), /hint: add PEM armour: base64 -d FILE \| openssl pkey -inform DER -out key\.pem \(the key is PKCS#8 DER\)/],
      [files.b64Sec1, keyToDer(pki.leaf.key, { format: "sec1" }), /hint: add PEM armour: .* \(the key is SEC1 \(EC\) DER\)/],
    ];
    for (const [file, der, label] of cases) {
      for (const format of ["text", "json"]) {
        const r = await certform(["inspect", file, "--format", format]);
        expect(r.code).toBe(1);
        expect(keyEchoes(r.stdout + r.stderr, der)).toEqual([]);
        expect(r.stderr).toMatch(/text with no PEM block, \d+ characters, that looks like bare base64 of a private key \(DER without PEM armour\)/);
        expect(r.stderr).toMatch(label);
        // Not a stack hint: inspect reads files, and a key never goes into a stack inline.
        expect(r.stderr).not.toMatch(/base64:|encoding:/);
      }
    }
  });

  it("describes a damaged DER key by its size only", async () => {
    const der = keyToDer(pki.leaf.key, { format: "sec1" });
    const r = await certform(["inspect", files.cutDer, "--format", "json"]);
    expect(r.code).toBe(1);
    expect(keyEchoes(r.stdout + r.stderr, der)).toEqual([]);
    expect(JSON.parse(r.stdout).error).toEqual({ code: "undecodable", message: `this is binary data of ${der.length - 3} bytes that is neither PEM nor DER`, hint: expect.any(String) });
  });

  it("says what the input really is and exits 1", async () => {
    const csr = await certform(["inspect", files.csr]);
    expect(csr.code).toBe(1);
    expect(csr.stderr).toContain("this is a certificate request (CSR), not a certificate");
    expect(csr.stdout).toBe("");
    const junk = await certform(["inspect", files.junk, "--format", "json"]);
    expect(junk.code).toBe(1);
    expect(JSON.parse(junk.stdout).error.code).toBe("undecodable");
    const none = await certform(["inspect", join(dir, "missing.pem")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/does not exist/);
    const http = await certform(["inspect", "http://127.0.0.1:1"]);
    expect(http.code).toBe(1);
    expect(http.stderr).toMatch(/https:\/\/ or ldaps:\/\//);
  });
});
