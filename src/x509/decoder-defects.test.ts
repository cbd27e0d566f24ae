// Decoder defect classes found by running inspect/validate over real-world corpora (issue 20), each
// reproduced with material made here.
import "reflect-metadata";
import * as px from "@peculiar/x509";
import * as asn1js from "asn1js";
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, generateKeyPairSync, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { certform } from "../../test/support/cli.js";
import { ENVIRONMENTS, HEADER, writeStackDir } from "../../test/support/stack.js";
import { readStack } from "../stack/index.js";
import { leaf, tempDir, writeFiles, type Issued } from "../../test/support/pki.js";
import { certFields } from "./cert-fields.js";
import { decodeCertificates } from "./decode-certificates.js";
import { decodePrivateKey } from "./decode-key.js";
import { describeCertificate } from "./describe.js";
import { fingerprintKey } from "./fingerprint.js";
import { hostCovered } from "./host-match.js";
import { decodePkcs12 } from "./pkcs12/pkcs12.js";
import { sniffDer } from "./der-sniff.js";
import { materialError } from "../../test/support/material-error.js";

px.cryptoProvider.set(webcrypto as unknown as Parameters<typeof px.cryptoProvider.set>[0]);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

/** A self-signed certificate with exactly the subjectAltName extension value and serial given. */
async function selfSigned(opts: { san?: Uint8Array; serial?: string; notAfter?: Date } = {}): Promise<Buffer> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const extensions = opts.san ? [new px.Extension("2.5.29.17", false, opts.san)] : [];
  const cert = await px.X509CertificateGenerator.createSelfSigned({
    serialNumber: opts.serial ?? "01",
    name: "CN=defect.example",
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: opts.notAfter ?? new Date("2030-06-15T12:00:00Z"),
    keys,
    signingAlgorithm: ALG,
    extensions,
  });
  return Buffer.from(cert.rawData);
}

/** GeneralNames holding one dNSName of these bytes, encoded by asn1js. */
function dnsSan(bytes: Uint8Array): Uint8Array {
  const name = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 }, valueHex: bytes });
  return new Uint8Array(new asn1js.Sequence({ value: [name] }).toBER());
}

let dir: string;
let ec: Issued;
beforeAll(async () => {
  dir = await tempDir("certform-defects-");
  ec = await leaf({ hosts: ["defect.example"] });
});

describe("an invalid time in a certificate", () => {
  it("is refused at the source, naming the field and the value, in the library and in inspect", async () => {
    const good = await selfSigned();
    const bad = Buffer.from(good);
    bad.write("301315120000Z", bad.indexOf("300615120000Z", 0, "latin1"), "latin1");
    new X509Certificate(bad); // OpenSSL parses it: the check must be certform's
    const err = materialError(() => decodeCertificates(bad));
    expect(err.code).toBe("undecodable");
    expect(err.message).toContain("notAfter");
    expect(err.message).toContain('"301315120000Z"');
    const files = await writeFiles(dir, { "bad-time.der": bad });
    const r = await certform(["inspect", files["bad-time.der"], "--format", "json"]);
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout).error;
    expect(error.code).toBe("undecodable");
    expect(error.message).toMatch(/notAfter time .* is not a valid UTCTime/);
    // validate: an error at the certificate's source, not a certificate without expiry.
    const stack = `${HEADER}${ENVIRONMENTS}certificates:\n  api:\n    certificate: { file: bad-time.der }\n    key: { file: api.key }\n`;
    const stackDir = writeStackDir({ "stack.yaml": stack, "bad-time.der": bad, "api.key": ec.keyPem });
    const { diagnostics } = await readStack([join(stackDir, "stack.yaml")], { env: {} });
    const found = diagnostics.filter((d) => d.severity === "error");
    expect(found.map((d) => d.code)).toContain("undecodable");
    expect(found.find((d) => d.code === "undecodable")).toMatchObject({ file: expect.stringMatching(/stack\.yaml$/), line: expect.any(Number), message: expect.stringMatching(/notAfter/) });
  });
});

describe("a PEM label outside [A-Z0-9 #-]", () => {
  const pem = "-----BEGIN X9.42 DH PARAMETERS-----\nMAA=\n-----END X9.42 DH PARAMETERS-----\n";
  it("says what the file is and that it is no certificate", () => {
    const err = materialError(() => decodeCertificates(pem));
    expect(err.message).toContain('"X9.42 DH PARAMETERS"');
    expect(err.message).toContain("domain parameters");
    expect(err.message).toContain("not a certificate");
  });
  it("and that it is no key", () => {
    const err = materialError(() => decodePrivateKey(pem));
    expect(err.message).toContain('"X9.42 DH PARAMETERS"');
    expect(err.message).toContain("not a private key");
  });
});

describe("lossy decodes", () => {
  it("reads a dNSName as UTF-8, and host matching covers nothing with a non-ASCII name", async () => {
    const cert = new X509Certificate(await selfSigned({ san: dnsSan(Buffer.from("bücher.example", "utf8")) }));
    expect(certFields(cert).sans).toEqual([{ type: "DNS", value: "bücher.example" }]);
    expect(hostCovered("xn--bcher-kva.example", ["DNS:bücher.example"])).toBe(false);
    expect(hostCovered("bücher.example", ["DNS:bücher.example"])).toBe(false);
  });

  it("prints a negative serial as its two's-complement octets, inside the inspect schema", async () => {
    const out = join(dir, "negative-serial.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "negative-serial.key"), "-subj", "/CN=negative", "-days", "2", "-set_serial", "-0x04316693ED", "-out", out], { stdio: "pipe" });
    const cert = decodeCertificates(readFileSync(out))[0]!;
    expect(cert.serialNumber).toBe("-04316693ED"); // node's (and openssl x509 -serial's) form
    expect(describeCertificate(cert, new Date()).serialNumber).toBe("FBCE996C13");
    const positive = new X509Certificate(await selfSigned({ serial: "00c3" }));
    expect(describeCertificate(positive, new Date()).serialNumber).toBe(positive.serialNumber.toUpperCase());
  });

  it("drops the NUL terminator of a PKCS#12 friendly name", async () => {
    const files = await writeFiles(dir, { "c.pem": ec.pem, "k.pem": ec.keyPem });
    const out = join(dir, "nul-name.p12");
    // Without encryption or MAC, so that the name's BMPString can be edited in place.
    execFileSync("openssl", ["pkcs12", "-export", "-in", files["c.pem"], "-inkey", files["k.pem"], "-name", "abcd", "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-passout", "pass:", "-out", out], { stdio: "pipe" });
    const p12 = readFileSync(out);
    const name = Buffer.from("\0a\0b\0c\0d", "latin1");
    for (let at = p12.indexOf(name); at !== -1; at = p12.indexOf(name, at + 1)) p12[at + 7] = 0;
    expect(decodePkcs12(p12, "").friendlyNames).toEqual(["abc"]);
  });
});

describe("a malformed subjectAltName extension", () => {
  it("is reported as such, not as a certificate without SANs", async () => {
    // A SEQUENCE whose dNSName claims more bytes than there are.
    const cert = await selfSigned({ san: Uint8Array.from([0x30, 0x05, 0x82, 0x10, 0x61, 0x62, 0x63]) });
    const err = materialError(() => decodeCertificates(cert));
    expect(err.message).toMatch(/subjectAltName extension/);
    expect(err.message).not.toMatch(/no subjectAltName/);
    const notNames = await selfSigned({ san: Uint8Array.from([0x04, 0x01, 0x00]) });
    expect(materialError(() => decodeCertificates(notNames)).message).toMatch(/subjectAltName extension is not a list of names/);
  });
});

describe("valid input that was refused", () => {
  it("reads a PKCS#12 that holds only a key", async () => {
    const files = await writeFiles(dir, { "only-key.pem": ec.keyPem });
    const out = join(dir, "only-key.p12");
    execFileSync("openssl", ["pkcs12", "-export", "-nocerts", "-inkey", files["only-key.pem"], "-passout", "pass:pw", "-out", out], { stdio: "pipe" });
    const p12 = decodePkcs12(readFileSync(out), "pw");
    expect(p12.chain).toEqual([]);
    expect(fingerprintKey(p12.key!)).toBe(fingerprintKey(ec.key));
    // …and serves as a stack's key source.
    const stack = `${HEADER}${ENVIRONMENTS}certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { pkcs12: key.p12, passphrase: "\${env:P12_PASS}" }\n    hosts: ["defect.example"]\n`;
    const stackDir = writeStackDir({ "stack.yaml": stack, "api.pem": ec.pem, "key.p12": readFileSync(out) });
    const { diagnostics } = await readStack([join(stackDir, "stack.yaml")], { env: { P12_PASS: "pw" } });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    // inspect describes it as the key it holds.
    const r = await certform(["inspect", out, "--passphrase-env", "P12_PASS", "--format", "json"], { env: { P12_PASS: "pw" } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "key", key: { type: "EC", fingerprint256: fingerprintKey(ec.key) } });
  });

  it("reads a PKCS#12 with an MD5 MAC", async () => {
    const files = await writeFiles(dir, { "c.pem": ec.pem, "k.pem": ec.keyPem });
    const out = join(dir, "md5.p12");
    execFileSync("openssl", ["pkcs12", "-export", "-in", files["c.pem"], "-inkey", files["k.pem"], "-macalg", "md5", "-passout", "pass:pw", "-out", out], { stdio: "pipe" });
    const p12 = decodePkcs12(readFileSync(out), "pw");
    expect(p12.chain[0]!.fingerprint256).toBe(ec.certificate.fingerprint256);
    expect(materialError(() => decodePkcs12(readFileSync(out), "wrong")).code).toBe("pkcs12-passphrase");
  });

  it("reads a traditional DSA private key in DER", async () => {
    const { privateKey } = generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 });
    const files = await writeFiles(dir, { "dsa8.pem": privateKey.export({ type: "pkcs8", format: "pem" }) as string });
    const der = join(dir, "dsa.der");
    execFileSync("openssl", ["dsa", "-in", files["dsa8.pem"], "-outform", "DER", "-out", der], { stdio: "pipe" });
    const bytes = readFileSync(der);
    expect(sniffDer(bytes)).toBe("pkcs1");
    expect(fingerprintKey(decodePrivateKey(bytes))).toBe(fingerprintKey(privateKey));
  });
});

describe("an encrypted PKCS#8 key with an unknown encryption OID", () => {
  it("names the algorithm instead of blaming the passphrase", () => {
    const der = ec.key.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "pw" }) as Buffer;
    const pbes2 = Buffer.from("06092a864886f70d01050d", "hex");
    const bad = Buffer.from(der);
    bad[bad.indexOf(pbes2) + 10] = 0x63; // 1.2.840.113549.1.5.99
    const err = materialError(() => decodePrivateKey(bad, "pw"));
    expect(err.code).toBe("key-unsupported");
    expect(err.message).toContain("OID 1.2.840.113549.1.5.99");
    const pem = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${bad.toString("base64")}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
    expect(materialError(() => decodePrivateKey(pem, "pw")).message).toContain("OID 1.2.840.113549.1.5.99");
    // A wrong passphrase is still called one.
    expect(materialError(() => decodePrivateKey(der, "wrong")).code).toBe("key-passphrase");
    expect(createPrivateKey({ key: der, format: "der", type: "pkcs8", passphrase: "pw" }).asymmetricKeyType).toBe("ec");
  });
});

describe("deeply nested BER", () => {
  // The input: 20,000 indefinite-length SEQUENCEs, then their 20,000 end-of-contents: 80 KB.
  const deep = Buffer.concat([Buffer.from("3080".repeat(20_000), "hex"), Buffer.alloc(40_000)]);

  it("is refused cleanly by every decoder, with no stack overflow", () => {
    expect(deep.length).toBe(80_000);
    expect(sniffDer(deep)).toBe("unknown");
    expect(materialError(() => decodeCertificates(deep)).code).toBe("undecodable");
    expect(materialError(() => decodePrivateKey(deep)).code).toBe("undecodable");
    expect(materialError(() => decodePkcs12(deep, "")).code).toBe("undecodable");
  });

  it("gives inspect a clean error", async () => {
    const files = await writeFiles(dir, { "deep.der": deep });
    const r = await certform(["inspect", files["deep.der"], "--format", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe("undecodable");
    expect(r.stderr).not.toMatch(/RangeError|call stack/i);
  });
});
