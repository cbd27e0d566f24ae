import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { API_FILES, serverCertificate, stackCase, stackText, trustedFile, type StackCase } from "../case.js";

// What a certificate source can hold instead of a certificate: cut, damaged or foreign files, keys, requests.

/** Random bytes that start like a DER SEQUENCE, so that nothing takes them for text. */
const derJunk = (n: number) => Buffer.concat([Buffer.from([0x30, 0x82, (n >> 8) & 0xff, n & 0xff]), randomBytes(n)]);

const pemBody = (pem: string) => pem.split("\n").filter((l) => l && !l.startsWith("-----"));

export const certificateFileCases: StackCase[] = [
  stackCase({
    id: "pem-truncated",
    title: "a certificate PEM cut off before its END line",
    files: (m) => serverCertificate(m, { pem: m.pki.leaf.pem.slice(0, Math.floor(m.pki.leaf.pem.length * 0.6)) }),
    expect: { code: "undecodable", at: "api.pem", address: "certificates.api[dev]", message: "a BEGIN line without its END line", hint: "copied whole" },
  }),
  stackCase({
    id: "pem-body-cut",
    title: "a PEM block whose base64 lost its second half",
    files: (m) => {
      const body = pemBody(m.pki.leaf.pem);
      return serverCertificate(m, { pem: `-----BEGIN CERTIFICATE-----\n${body.slice(0, Math.ceil(body.length / 2)).join("\n")}\n-----END CERTIFICATE-----\n` });
    },
    expect: { code: "undecodable", at: "api.pem", message: "cannot be parsed", hint: "truncated or corrupted" },
  }),
  stackCase({
    id: "pem-bad-base64",
    title: "a PEM block with characters outside base64",
    files: (m) => serverCertificate(m, { pem: m.pki.leaf.pem.replace(/\n(.{10})/, "\n!!!!!!!!!!") }),
    expect: { code: "undecodable", at: "api.pem", message: "characters outside base64", hint: "copied whole" },
  }),
  stackCase({
    id: "pem-no-block",
    title: "a text file with no PEM block in it",
    files: (m) => serverCertificate(m, { pem: "this is the certificate, I promise\n" }),
    expect: { code: "undecodable", at: "api.pem", message: "text with no PEM block", hint: "as PEM (-----BEGIN CERTIFICATE-----) or DER" },
  }),
  stackCase({
    id: "certificate-file-empty",
    title: "an empty certificate file",
    files: (m) => serverCertificate(m, { pem: "" }),
    expect: { code: "empty", at: "api.pem", message: "empty", hint: "a PEM or DER certificate file" },
  }),
  stackCase({
    id: "der-junk",
    title: "random bytes that start like DER",
    files: (m) => serverCertificate(m, { pem: derJunk(1500) }),
    expect: { code: "undecodable", at: "api.pem", message: "looks like DER but is not a certificate", hint: "as PEM (-----BEGIN CERTIFICATE-----) or DER" },
  }),
  stackCase({
    id: "der-truncated",
    title: "a DER certificate missing its last 40 bytes",
    files: (m) => serverCertificate(m, { pem: m.pki.leaf.der.subarray(0, m.pki.leaf.der.length - 40) }),
    expect: { code: "undecodable", at: "api.pem", message: "binary data of", hint: "as PEM (-----BEGIN CERTIFICATE-----) or DER" },
  }),
  stackCase({
    id: "binary-junk",
    title: "a gzip file given as a certificate",
    files: (m) => serverCertificate(m, { pem: gzipSync(Buffer.from(m.pki.leaf.pem)) }),
    expect: { code: "undecodable", at: "api.pem", message: "gzip-compressed data", hint: "as PEM (-----BEGIN CERTIFICATE-----) or DER" },
  }),
  stackCase({
    id: "csr-as-certificate",
    title: "a certificate signing request where the certificate should be",
    files: (m) => serverCertificate(m, { pem: m.csrPem }),
    expect: { code: "csr-not-certificate", at: "api.pem", message: "certificate request (CSR), not a certificate", hint: "submit the CSR to your CA" },
  }),
  stackCase({
    id: "key-as-certificate",
    title: "the private key file given as the certificate",
    files: (m) => serverCertificate(m, { pem: m.pki.leaf.keyPem }),
    expect: { code: "key-not-certificate", at: "api.pem", message: "a private key where a certificate was expected", hint: "point certificate: at the certificate file" },
  }),
  stackCase({
    id: "public-key-as-certificate",
    title: "a public key where the certificate should be",
    files: (m) => serverCertificate(m, { pem: m.pki.leaf.certificate.publicKey.export({ type: "spki", format: "pem" }) as string }),
    expect: { code: "public-key-not-certificate", at: "api.pem", message: "a public key, not a certificate", hint: "the certificate that was issued for this key" },
  }),
  stackCase({
    id: "key-in-truststore-file",
    title: "a truststore file that also holds a private key",
    files: (m) => trustedFile(m, `${m.pki.root.pem}${m.pki.root.keyPem}`),
    expect: { code: "key-in-certificate", at: "ca.pem", address: "trustedCertificates.partner-ca[dev]", message: "holds a private key as well as a certificate", hint: "keep only the certificates here" },
  }),
  stackCase({
    id: "truststore-file-several-cas",
    title: "a trusted certificate whose file holds two CAs (a bundle)",
    files: (m) => trustedFile(m, `${m.pki.intermediate.pem}${m.pki.root.pem}`),
    expect: { code: "trusted-several", at: "ca.pem", address: "trustedCertificates.partner-ca[dev]", message: "holds 2 certificates", hint: "declare each CA as a trusted certificate of its own" },
  }),
  stackCase({
    id: "inline-pem-truncated",
    title: "an inline pem: cut short",
    files: (m) => ({ "stack.yaml": stackText(m, `trustedCertificates:\n  partner-ca:\n    certificate: { pem: ${JSON.stringify(m.pki.root.pem.slice(0, 200))} }\n`) }),
    expect: { code: "undecodable", at: "\"-----BEGIN", message: "a BEGIN line without its END line", hint: "copied whole" },
  }),
  stackCase({
    id: "base64-bad-alphabet",
    title: "a base64 source with characters outside its alphabet",
    files: (m) => ({ "stack.yaml": stackText(m, `trustedCertificates:\n  partner-ca:\n    certificate: { base64: "${m.pki.root.der.toString("base64").slice(0, 40)}$$$$", encoding: BASE64 }\n`) }),
    expect: { code: "base64-invalid", at: "\"MII", message: '"$" (U+0024) at character 41', hint: "standard base64" },
  }),
  stackCase({
    id: "base64-bad-padding",
    title: "a base64 source that lost its last character",
    files: (m) => ({ "stack.yaml": stackText(m, `trustedCertificates:\n  partner-ca:\n    certificate: { base64: "${m.pki.root.der.toString("base64").slice(0, -1)}", encoding: BASE64 }\n`) }),
    expect: { code: "base64-invalid", at: "\"MII", message: "bad padding", hint: "copy it again whole" },
  }),
  stackCase({
    id: "base64pem-not-pem",
    title: "encoding: BASE64PEM over text that is not PEM",
    files: (m) => ({ "stack.yaml": stackText(m, `trustedCertificates:\n  partner-ca:\n    certificate: { base64: "${Buffer.from("hello, world\n").toString("base64")}", encoding: BASE64PEM }\n`) }),
    expect: { code: "base64-encoding-mismatch", at: "\"aGVs", message: "does not decode to PEM text", hint: "base64 -w0 cert.pem" },
  }),
  stackCase({
    id: "key-inline",
    title: "a private key pasted into an inline pem:",
    files: (m) => ({ "stack.yaml": stackText(m, `trustedCertificates:\n  partner-ca:\n    certificate: { pem: ${JSON.stringify(`${m.pki.root.pem}${m.pki.root.keyPem}`)} }\n`) }),
    expect: { code: "key-inline", at: "-----BEGIN PRIVATE KEY", address: null, message: "a private key is written in the stack", hint: "rotate this key" },
  }),
  stackCase({
    id: "certificate-file-missing",
    title: "a certificate file that does not exist",
    files: (m) => ({ "stack.yaml": stackText(m, API_FILES), "api.key": m.pki.leaf.keyPem }),
    expect: { code: "file-not-found", at: "api.pem", message: "file api.pem does not exist", hint: "relative to the stack file" },
  }),
  stackCase({
    id: "certificate-file-is-directory",
    title: "a directory given as the certificate file",
    files: (m) => ({ "stack.yaml": stackText(m, API_FILES), "api.pem/readme.txt": "a directory", "api.key": m.pki.leaf.keyPem }),
    expect: { code: "file-unreadable", at: "api.pem", message: "api.pem is a directory", hint: "relative to the stack file" },
  }),
  stackCase({
    id: "path-nul",
    title: "a NUL byte in a file path",
    files: (m) => serverCertificate(m, { body: 'certificates:\n  api:\n    certificate: { file: "api.pem\\0.txt" }\n    key: { file: api.key }\n' }),
    expect: { code: "path-invalid", at: "\"api.pem", message: "holds a control character", hint: "without control characters" },
  }),
  stackCase({
    id: "certificate-file-device",
    title: "a device that never ends (/dev/zero) given as the certificate",
    files: (m) => serverCertificate(m, { body: "certificates:\n  api:\n    certificate: { file: /dev/zero }\n    key: { file: api.key }\n" }),
    expect: { code: "file-unreadable", at: "/dev/zero", message: "/dev/zero is not a regular file", hint: "relative to the stack file" },
  }),
  stackCase({
    id: "certificate-file-50mb",
    title: "a 50 MB file given as the certificate",
    files: (m) => serverCertificate(m, { pem: Buffer.concat([Buffer.from(m.pki.leaf.pem), Buffer.alloc(50 * 1024 * 1024, "A")]) }),
    expect: { code: "file-too-large", at: "api.pem", message: "a certificate, key or PKCS#12 file is at most 16 MiB", hint: "the certificate or key file itself" },
  }),
];
