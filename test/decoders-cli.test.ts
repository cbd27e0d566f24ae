/**
 * Inputs that real-world certificate corpora hold and that once stopped inspect or validate: keys OpenSSL
 * cannot load, named curves and DH keys, control characters in names, wildcards over public suffixes,
 * several bad files in one stack; and the plumbing around them: standard input, a closed pipe.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InspectReportSchema } from "../src/model/inspect-report.js";
import { ValidateReportSchema } from "../src/model/validate-report.js";
import { certform, REPO } from "./support/cli.js";
import { certificateWithSpki, curveSpki, dhSpki, unloadableSpki } from "./support/odd-keys.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { daysAgo, leaf, makePki, tempDir, toDer, toPem, writeFiles } from "./support/pki.js";
import { HEADER, positionOf, writeStackDir } from "./support/stack.js";

const GOST = "1.2.643.7.1.1.1.1";

/** The TBSCertificate with its notAfter UTCTime (the second one) replaced by `text`, as long as the original. */
function rewriteNotAfter(tbs: Buffer, text: string): Buffer {
  const s = tbs.toString("latin1");
  const first = s.indexOf("\x17\x0d");
  const second = s.indexOf("\x17\x0d", first + 2);
  if (second < 0 || text.length !== 13) throw new Error("no notAfter UTCTime to rewrite");
  return Buffer.from(s.slice(0, second + 2) + text + s.slice(second + 15), "latin1");
}
// Raw C0/DEL/C1 and bidi controls: none may reach stdout unescaped.
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe("inspect: keys described whatever OpenSSL can load", () => {
  let dir: string;
  let files: Record<"gost" | "brainpool" | "dh", string>;
  beforeAll(async () => {
    dir = await tempDir("certform-decoders-");
    files = await writeFiles(dir, {
      gost: toPem(certificateWithSpki(unloadableSpki(GOST), { hosts: ["gost.example.com"] })),
      brainpool: toPem(certificateWithSpki(curveSpki("brainpoolP256r1"), { hosts: ["bp.example.com"] })),
      dh: toDer(certificateWithSpki(dhSpki("x942", "modp14"), { hosts: ["dh.example.com"] })),
    });
  });

  it("a GOST key: its algorithm OID and no size, in JSON and text", async () => {
    const json = await certform(["inspect", "--format", "json", files.gost]);
    expect(json.code).toBe(0);
    const report = InspectReportSchema.parse(JSON.parse(json.stdout));
    expect(report).toMatchObject({ kind: "certificate", sans: ["DNS:gost.example.com"], publicKey: { type: "GOST R 34.10-2012", algorithm: GOST } });
    if (!("publicKey" in report)) throw new Error("no certificate report");
    expect(report.publicKey.bits).toBeUndefined();
    const text = await certform(["inspect", files.gost]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Public key {2}GOST R 34\.10-2012 \(OID 1\.2\.643\.7\.1\.1\.1\.1; OpenSSL cannot load this key, so its size is unknown\), fingerprint [0-9A-F:]{95}/);
  });

  it("a Brainpool key by curve and size; an X9.42 DH key by size", async () => {
    const bp = InspectReportSchema.parse(JSON.parse((await certform(["inspect", "--format", "json", files.brainpool])).stdout));
    expect(bp).toMatchObject({ publicKey: { type: "EC", curve: "brainpoolP256r1", bits: 256 } });
    expect((await certform(["inspect", files.brainpool])).stdout).toContain("Public key  EC brainpoolP256r1 (256 bits), fingerprint");
    const dh = InspectReportSchema.parse(JSON.parse((await certform(["inspect", "--format", "json", files.dh])).stdout));
    expect(dh).toMatchObject({ publicKey: { type: "DH", bits: 2048 } });
  });
});

describe("inspect: control characters in names", () => {
  it("C1 and bidi controls in the subject and a SAN are escaped in text and JSON; JSON still parses to the escaped text", async () => {
    const cert = await leaf({ subject: "CN=evil\u009b2J\u0085x\u202etxt\u007f", hosts: ["ok.example.com", "a\u009bb.example.com"] });
    const dir = await tempDir("certform-c1-");
    const { pem } = await writeFiles(dir, { pem: cert.pem });
    const text = await certform(["inspect", pem]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(RAW_CONTROL);
    expect(text.stdout).toContain("Subject     CN=evil\\C2\\9B2J\\C2\\85x\\E2\\80\\AEtxt\\7F");
    const json = await certform(["inspect", "--format", "json", pem]);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    const report = InspectReportSchema.parse(JSON.parse(json.stdout));
    if (!("subject" in report)) throw new Error("no certificate report");
    expect(report.subject).toBe("CN=evil\\C2\\9B2J\\C2\\85x\\E2\\80\\AEtxt\\7F");
    expect(report.sans[0]).toBe("DNS:ok.example.com");
    expect(report.sans[1]).not.toMatch(RAW_CONTROL);
  });

  it("a path with a C1 character is escaped in messages too", async () => {
    const r = await certform(["inspect", "/nonexistent/a\u009bb.pem"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain("a\\x9Bb.pem");
  });
});

describe("inspect - reads standard input", () => {
  it("PEM and DER certificates, and a key, from standard input", async () => {
    const pki = await makePki({ hosts: ["stdin.example.com"] });
    const pem = await certform(["inspect", "-"], { input: pki.chainPem });
    expect(pem.code).toBe(0);
    expect(pem.stdout).toMatch(/^2 certificates in \(standard input\)\n/);
    expect(pem.stdout).toContain("DNS:stdin.example.com");
    const der = await certform(["inspect", "--format", "json", "-"], { input: pki.leaf.der });
    expect(InspectReportSchema.parse(JSON.parse(der.stdout))).toMatchObject({ kind: "certificate", source: "-", sans: ["DNS:stdin.example.com"] });
    const key = await certform(["inspect", "-"], { input: pki.leaf.keyPem });
    expect(key.stdout).toMatch(/^Private key \(standard input\)\n {2}Type {8}EC P-256, fingerprint /);
    expect(key.stdout + key.stderr).not.toContain("PRIVATE KEY");
  });

  it("empty standard input is a clear error", async () => {
    const r = await certform(["inspect", "-"], { input: "" });
    expect(r).toMatchObject({ code: 1 });
    expect(r.stderr).toContain("Error: standard input is empty");
  });
});

describe("validate: one bad file never hides the others", () => {
  it("reports every finding with its file:line:column, the unloadable key described, and no internal error", async () => {
    const good = await leaf({ hosts: ["api.example.com"] });
    const old = await leaf({ hosts: ["old.example.com"], notBefore: daysAgo(100), notAfter: daysAgo(10) });
    const broad = await leaf({ hosts: ["*.s3.amazonaws.com", "files.example.com"] });
    const gost = certificateWithSpki(unloadableSpki(GOST), { hosts: ["gost.example.com"], validityDays: 365 });
    // notAfter as a UTCTime with letters in it.
    const badTime = certificateWithSpki(curveSpki("prime256v1"), { hosts: ["time.example.com"], rewriteTbs: (tbs) => rewriteNotAfter(tbs, "ABCDEF000000Z") });
    const text = `${HEADER}environments:
  dev:
    gateway: { type: embedded, nodes: ["http://127.0.0.1:8081"] }
certificates:
  gost:
    certificate: { file: gost.pem }
    key: { file: good.key }
  junk:
    certificate: { file: junk.pem }
    key: { file: good.key }
  bad-time:
    certificate: { file: bad-time.pem }
    key: { file: good.key }
  old:
    certificate: { file: old.pem }
    key: { file: old.key }
    hosts: ["old.example.com", "bad host", "*.co.uk"]
  nokey:
    certificate: { file: good.pem }
  broad:
    certificate: { file: broad.pem }
    key: { file: broad.key }
    hosts: ["files.example.com"]
trustedCertificates:
  gost-ca:
    certificate: { file: gost.pem }
  bp-ca:
    certificate: { file: bp.pem }
jwks:
  gost-jwk:
    certificate: gost-ca
  bp-jwk:
    certificate: bp-ca
`;
    const dir = writeStackDir({
      "stack.yaml": text,
      "gost.pem": toPem(gost),
      "junk.pem": "hello\n",
      "bad-time.pem": toPem(badTime),
      "good.pem": good.pem,
      "good.key": good.keyPem,
      "old.pem": old.pem,
      "old.key": old.keyPem,
      "broad.pem": broad.pem,
      "broad.key": broad.keyPem,
      "bp.pem": toPem(certificateWithSpki(curveSpki("brainpoolP384r1"), { subject: "CN=Brainpool CA", validityDays: 365 })),
    });
    const r = await certform(["validate", "--format", "json", dir], { cwd: dir });
    expect(r.code).toBe(1);
    const report = ValidateReportSchema.parse(JSON.parse(r.stdout));
    const all = [...report.errors, ...report.warnings];
    const at = (needle: string, nth = 1) => positionOf(text, needle, nth);
    const found = (code: string, address: string) => all.filter((d) => d.code === code && (d.address ?? "").startsWith(address));
    const isError = (d: (typeof all)[number]) => report.errors.includes(d);
    expect(all.map((d) => d.code)).not.toContain("internal");

    expect(found("key-unsupported", "certificates.gost")).toEqual([expect.objectContaining({ ...at("{ file: gost.pem }"), message: expect.stringContaining(`(OID ${GOST})`) })]);
    expect(isError(found("key-unsupported", "certificates.gost")[0]!)).toBe(true);
    expect(found("key-mismatch", "certificates.gost")).toEqual([]);
    expect(found("key-unsupported", "trustedCertificates.gost-ca")).toEqual([expect.objectContaining(at("{ file: gost.pem }", 2))]);
    expect(isError(found("key-unsupported", "trustedCertificates.gost-ca")[0]!)).toBe(false);
    expect(found("undecodable", "certificates.junk")).toEqual([expect.objectContaining(at("junk.pem"))]);
    expect(found("expired", "certificates.old")).toHaveLength(1);
    // However the decoders come to say it, the unreadable date is an error at that file's source, never silence.
    expect(report.errors.filter((d) => d.address?.startsWith("certificates.bad-time") && d.line === at("bad-time.pem").line)).not.toEqual([]);
    // One host-invalid per bad host, in one wording, at the host itself.
    expect(found("host-invalid", "certificates.old")).toEqual([
      expect.objectContaining({ ...at('"bad host"'), message: 'certificates.old[dev]: host "bad host" is not valid: it contains white space (U+0020)' }),
      expect.objectContaining({ ...at('"*.co.uk"'), message: expect.stringContaining('"co.uk" is a public suffix') }),
    ]);
    // A certificate file without key: is key-missing, not a PKCS#12 message.
    expect(found("key-missing", "certificates.nokey")).toHaveLength(1);
    expect(all.filter((d) => d.code === "pkcs12-no-key")).toEqual([]);
    expect(found("wildcard-public-suffix", "certificates.broad")).toEqual([
      expect.objectContaining({ ...at("{ file: broad.pem }"), message: expect.stringContaining('DNS:*.s3.amazonaws.com: "s3.amazonaws.com" is a public suffix') }),
    ]);
    // JWKS entries over keys that have no JWK form: said in validate, not a crash in plan.
    expect(found("jwk-key-unsupported", "jwks.gost-jwk")).toEqual([expect.objectContaining({ ...at("gost-ca", 2), message: expect.stringMatching(/GOST R 34\.10-2012 \(OID 1\.2\.643\.7\.1\.1\.1\.1\) key cannot be loaded/) })]);
    expect(found("jwk-key-unsupported", "jwks.bp-jwk")).toEqual([expect.objectContaining({ ...at("bp-ca", 2), message: expect.stringContaining("its EC brainpoolP384r1 key has no JWK form") })]);
    for (const d of all) expect(d.file).toBe("stack.yaml");
  });
});

describe("a closed pipe ends output quietly", () => {
  let gw: GatewayProcess;
  afterAll(async () => {
    await gw?.stop();
  });

  /**
   * Runs certform with its stdout into a pipe whose reader goes away: after the first chunk, as `| head -1`
   * does, or before anything is written (`firstChunk: false`), so that the next write surely meets EPIPE.
   */
  function closedPipe(args: string[], cwd: string, firstChunk: boolean): Promise<{ code: number | null; first: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO, "bin", "certform.js"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let first = "";
      let stderr = "";
      if (firstChunk) {
        child.stdout.once("data", (d: Buffer) => {
          first = d.toString("utf8").split("\n")[0]!;
          child.stdout.destroy();
        });
      } else child.stdout.destroy();
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, first, stderr }));
    });
  }

  it("apply with odd trusted keys; then export-cert --chain | head -1, and inspect of a long chain | head -1: no EPIPE crash", async () => {
    gw = await startGateway();
    const pki = await makePki({ hosts: ["pipe.example.com"] });
    // Output of about 1 MB: far more than a pipe buffer holds, so writes go on after the reader has left.
    const chainPem = pki.leaf.pem.repeat(600);
    const dir = writeStackDir({
      "stack.yaml": `${HEADER}environments:\n  dev:\n    gateway: { type: embedded, nodes: ["${gw.admin}"] }\ncertificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key }\ntrustedCertificates:\n  gost-ca:\n    certificate: { file: gost.pem }\n  bp-ca:\n    certificate: { file: bp.pem }\n`,
      "gost.pem": toPem(certificateWithSpki(unloadableSpki(GOST), { subject: "CN=GOST CA", validityDays: 400 })),
      "bp.pem": toPem(certificateWithSpki(curveSpki("brainpoolP256r1"), { subject: "CN=Brainpool CA", validityDays: 400 })),
      "api.pem": pki.chainPem,
      "api.key": pki.leaf.keyPem,
      "long.pem": chainPem,
    });
    // Trusted certificates with keys OpenSSL cannot load or sizes only a curve name tells go through plan and apply.
    const applied = await certform(["apply", "--auto-approve", "--no-color", "."], { cwd: dir });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/\+ key type: +GOST R 34\.10-2012 \(OID 1\.2\.643\.7\.1\.1\.1\.1\)\n/);
    expect(applied.stdout).toMatch(/\+ key type: +EC brainpoolP256r1\n/);
    expect(applied.stdout).toContain("warning[key-unsupported] trustedCertificates.gost-ca[dev]: the certificate CN=GOST CA has a public key of GOST");

    const exported = await closedPipe(["export-cert", "certificates.api[dev]", "--chain", "."], dir, false);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);

    const inspected = await closedPipe(["inspect", "--format", "json", "long.pem"], dir, true);
    expect(inspected.first).toBe("{");
    expect(inspected.stderr).toBe("");
    expect(inspected.code).toBe(0);
  });
});
