import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { exportPkcs12, keyToDer, keyToPem, makeCsrPem, makePki, tempDir, toPem, writeFiles, type Pki } from "../../test/support/pki.js";
import { MaterialError } from "./errors.js";
import { decodeBase64 } from "./base64.js";
import { decodeCertificates } from "./decode-certificates.js";

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
});

function codeOf(fn: () => unknown): { code: string; message: string; hint: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MaterialError);
    const e = err as MaterialError;
    expect(e.hint.length).toBeGreaterThan(0);
    return { code: e.code, message: e.message, hint: e.hint };
  }
  throw new Error("expected a MaterialError");
}

describe("decodeCertificates: PEM", () => {
  it("reads one PEM block", () => {
    const certs = decodeCertificates(pki.leaf.pem);
    expect(certs).toHaveLength(1);
    expect(certs[0]!.fingerprint256).toBe(pki.leaf.certificate.fingerprint256);
  });

  it("reads many blocks with CRLF line ends and text before, between and after them", () => {
    const text = `subject=CN=localhost\r\nissuer=whatever\r\n${pki.leaf.pem}\r\nBag Attributes\r\n${pki.intermediate.pem}${pki.root.pem}trailing text\r\n`.replace(/\n/g, "\r\n").replace(/\r\r/g, "\r");
    const certs = decodeCertificates(Buffer.from(text));
    expect(certs.map((c) => c.fingerprint256)).toEqual([pki.leaf, pki.intermediate, pki.root].map((i) => i.certificate.fingerprint256));
  });

  it("refuses a private key next to the certificates unless allowPrivateKey is set", () => {
    for (const key of [pki.leaf.keyPem, keyToPem(pki.leaf.key, { format: "sec1" }), keyToPem(pki.leaf.key, { passphrase: "pw" })]) {
      const combined = pki.leaf.pem + key + pki.intermediate.pem;
      const e = codeOf(() => decodeCertificates(combined));
      expect(e.code).toBe("key-in-certificate");
      expect(e.message).toBe("this holds a private key as well as certificates");
      expect(e.hint).toMatch(/key: \{ file: … \}/);
      expect(decodeCertificates(combined, { allowPrivateKey: true })).toHaveLength(2);
      expect(decodeCertificates(Buffer.from(combined), { allowPrivateKey: true })).toHaveLength(2);
    }
    expect(codeOf(() => decodeCertificates(pki.leaf.keyPem + pki.leaf.pem)).message).toBe("this holds a private key as well as a certificate");
  });

  it("refuses a key in BASE64PEM-decoded text the same way", () => {
    const bytes = decodeBase64(Buffer.from(pki.leaf.pem + pki.leaf.keyPem).toString("base64"), "BASE64PEM");
    expect(codeOf(() => decodeCertificates(bytes)).code).toBe("key-in-certificate");
    expect(decodeCertificates(bytes, { allowPrivateKey: true })).toHaveLength(1);
  });

  it("accepts a UTF-8 BOM", () => {
    expect(decodeCertificates(Buffer.from(`\uFEFF${pki.leaf.pem}`))).toHaveLength(1);
  });

  it("reads OpenSSL TRUSTED CERTIFICATE blocks", async () => {
    const dir = await tempDir();
    const files = await writeFiles(dir, { "c.pem": pki.root.pem });
    const trusted = execFileSync("openssl", ["x509", "-in", files["c.pem"], "-addtrust", "serverAuth", "-trustout"], { encoding: "utf8" });
    expect(trusted).toContain("BEGIN TRUSTED CERTIFICATE");
    expect(decodeCertificates(trusted)[0]!.fingerprint256).toBe(pki.root.certificate.fingerprint256);
  });

  it("reads a PKCS#7 bundle (PEM and DER)", async () => {
    const dir = await tempDir();
    const files = await writeFiles(dir, { "chain.pem": pki.chainPem });
    const p7pem = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", files["chain.pem"]], { encoding: "utf8" });
    expect(decodeCertificates(p7pem)).toHaveLength(2);
    const p7der = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", files["chain.pem"], "-outform", "DER"]);
    expect(decodeCertificates(p7der)).toHaveLength(2);
  });

  it("refuses a truncated PEM block", () => {
    const cut = pki.leaf.pem.split("-----END")[0]!;
    const e = codeOf(() => decodeCertificates(cut));
    expect(e.code).toBe("undecodable");
    expect(e.message).toMatch(/without its END/);
  });

  it("refuses a PEM body with characters outside base64", () => {
    const lines = pki.leaf.pem.split("\n");
    lines[2] = `${lines[2]!.slice(0, 10)}!${lines[2]!.slice(11)}`;
    expect(codeOf(() => decodeCertificates(lines.join("\n"))).code).toBe("undecodable");
  });
});

describe("decodeCertificates: DER", () => {
  it("reads a DER certificate", () => {
    const certs = decodeCertificates(pki.leaf.der);
    expect(certs[0]!.fingerprint256).toBe(pki.leaf.certificate.fingerprint256);
  });

  it("reads concatenated DER certificates", () => {
    const certs = decodeCertificates(Buffer.concat([pki.leaf.der, pki.intermediate.der]));
    expect(certs).toHaveLength(2);
  });
});

describe("decodeCertificates: the wrong material says what it is", () => {
  it("CSR (PEM and DER)", async () => {
    const csr = await makeCsrPem();
    for (const input of [csr, Buffer.from(csr.split("\n").filter((l) => l && !l.startsWith("-----")).join(""), "base64")]) {
      const e = codeOf(() => decodeCertificates(input));
      expect(e.code).toBe("csr-not-certificate");
      expect(e.message).toBe("this is a certificate request (CSR), not a certificate");
    }
  });

  it("private keys in every format", () => {
    const ecKey = pki.leaf.key;
    const rsaKey = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    const inputs = [
      pki.leaf.keyPem,
      keyToPem(ecKey, { format: "sec1" }),
      keyToPem(ecKey, { passphrase: "pw" }),
      keyToPem(rsaKey, { format: "pkcs1" }),
      keyToDer(ecKey),
      keyToDer(ecKey, { format: "sec1" }),
      keyToDer(ecKey, { passphrase: "pw" }),
      keyToDer(rsaKey, { format: "pkcs1" }),
    ];
    for (const input of inputs) {
      const e = codeOf(() => decodeCertificates(input));
      expect(e.code).toBe("key-not-certificate");
      expect(e.message).toBe("this is a private key where a certificate was expected");
    }
  });

  it("PKCS#12", async () => {
    const p12 = await exportPkcs12({ leaf: pki.leaf, passphrase: "pw" });
    const e = codeOf(() => decodeCertificates(readFileSync(p12)));
    expect(e.code).toBe("pkcs12-not-certificate");
    expect(e.hint).toMatch(/pkcs12:/);
  });

  it("public key (PEM and DER)", () => {
    const pub = pki.leaf.certificate.publicKey;
    for (const input of [pub.export({ type: "spki", format: "pem" }) as string, pub.export({ type: "spki", format: "der" })]) {
      expect(codeOf(() => decodeCertificates(input)).code).toBe("public-key-not-certificate");
    }
  });

  it("empty input", () => {
    for (const input of ["", " \n\t", Buffer.alloc(0)]) expect(codeOf(() => decodeCertificates(input)).code).toBe("empty");
  });

  it("base64 without PEM armour", () => {
    const e = codeOf(() => decodeCertificates(pki.leaf.der.toString("base64")));
    expect(e.code).toBe("undecodable");
    expect(e.message).toMatch(/^this is text with no PEM block, \d+ characters, that looks like bare base64 of a certificate \(DER without PEM armour\)$/);
    expect(e.hint).toMatch(/-----BEGIN CERTIFICATE-----/);
  });

  it("plain text, binary junk, JKS and a CRL", async () => {
    // Described by form and size only: never a character or byte of the input.
    expect(codeOf(() => decodeCertificates("hello: world\n")).message).toBe("this is text with no PEM block, 12 characters");
    expect(codeOf(() => decodeCertificates(Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]))).message).toBe("this is binary data of 5 bytes that is neither PEM nor DER");
    expect(codeOf(() => decodeCertificates(Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]))).message).toMatch(/Java KeyStore/);
    const dir = await tempDir();
    const files = await writeFiles(dir, {
      "ca.pem": pki.root.pem,
      "ca.key": pki.root.keyPem,
      "index.txt": "",
      "crlnumber": "01\n",
      "ca.cnf": "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=1\n",
    });
    const crl = execFileSync("openssl", ["ca", "-gencrl", "-config", files["ca.cnf"], "-cert", files["ca.pem"], "-keyfile", files["ca.key"]], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(codeOf(() => decodeCertificates(crl)).message).toMatch(/revocation list/);
    const crlDer = Buffer.from(crl.split("\n").filter((l) => l && !l.startsWith("-----")).join(""), "base64");
    expect(codeOf(() => decodeCertificates(crlDer)).message).toMatch(/revocation list/);
  });

  it("an SSH public key", () => {
    expect(codeOf(() => decodeCertificates("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA user@host\n")).message).toMatch(/SSH public key/);
  });

  it("a file on disk read as a Buffer behaves like the string", async () => {
    const dir = await tempDir();
    const files = await writeFiles(dir, { "chain.pem": toPem(pki.chain) });
    expect(decodeCertificates(readFileSync(join(files["chain.pem"])))).toHaveLength(2);
  });
});
