import { randomBytes } from "node:crypto";
import { PASSPHRASE } from "../material.js";
import { serverCertificate, stackCase, stackText, type StackCase } from "../case.js";

// Keys that are missing, locked, foreign or not keys at all, and PKCS#12 files that do not open.

const P12_BODY = "certificates:\n  api:\n    certificate: { pkcs12: api.p12, passphrase: \"${env:CERTFORM_CATALOGUE_P12}\" }\n    key: { pkcs12: api.p12, passphrase: \"${env:CERTFORM_CATALOGUE_P12}\" }\n";
const P12_NO_PASSPHRASE = "certificates:\n  api:\n    certificate: { pkcs12: api.p12 }\n    key: { pkcs12: api.p12 }\n";
const ENCRYPTED_BODY = "certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key, passphrase: \"${env:CERTFORM_CATALOGUE_KEY_PASS}\" }\n";

export const keyCases: StackCase[] = [
  stackCase({
    id: "certificate-as-key",
    title: "the certificate file given as the key",
    files: (m) => serverCertificate(m, { key: m.pki.leaf.pem }),
    expect: { code: "certificate-not-key", at: "api.key", message: "a certificate where a private key was expected", hint: "the private key file that belongs to the certificate" },
  }),
  stackCase({
    id: "csr-as-key",
    title: "a certificate signing request given as the key",
    files: (m) => serverCertificate(m, { key: m.csrPem }),
    expect: { code: "csr-not-key", at: "api.key", message: "certificate request (CSR) where a private key was expected", hint: "the private key the CSR was generated with" },
  }),
  stackCase({
    id: "public-key-as-key",
    title: "the public key given as the private key",
    files: (m) => serverCertificate(m, { key: m.pki.leaf.certificate.publicKey.export({ type: "spki", format: "pem" }) as string }),
    expect: { code: "public-key-not-private", at: "api.key", message: "a public key where a private key was expected", hint: "use the private key" },
  }),
  stackCase({
    id: "key-mismatch",
    title: "a key that belongs to another certificate",
    files: (m) => serverCertificate(m, { key: m.other.keyPem }),
    expect: { code: "key-mismatch", at: "key:", address: "certificates.api[dev]", message: "does not belong to the certificate CN=api.example.com", hint: "the key the certificate was issued for" },
  }),
  stackCase({
    id: "key-encrypted-no-passphrase",
    title: "an encrypted key without a passphrase",
    files: (m) => serverCertificate(m, { key: m.encryptedKeyPem }),
    expect: { code: "key-passphrase-required", at: "api.key", message: "encrypted and no passphrase was given", hint: "add passphrase: ${env:VAR}" },
  }),
  stackCase({
    id: "key-encrypted-wrong-passphrase",
    title: "an encrypted key with the wrong passphrase",
    env: { CERTFORM_CATALOGUE_KEY_PASS: "wrong horse" },
    files: (m) => serverCertificate(m, { key: m.encryptedKeyPem, body: ENCRYPTED_BODY }),
    expect: { code: "key-passphrase", at: "api.key", message: "does not decrypt the private key", hint: "the passphrase variable" },
  }),
  stackCase({
    id: "key-junk",
    title: "random bytes given as the key",
    files: (m) => serverCertificate(m, { key: Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), randomBytes(256)]) }),
    expect: { code: "undecodable", at: "api.key", message: "binary data of 260 bytes", hint: "the private key as PEM or DER" },
  }),
  stackCase({
    id: "key-pem-truncated",
    title: "a key PEM cut off in the middle",
    files: (m) => serverCertificate(m, { key: m.pki.leaf.keyPem.slice(0, 120) }),
    expect: { code: "undecodable", at: "api.key", message: "a BEGIN line without its END line", hint: "copied whole" },
  }),
  stackCase({
    id: "key-env-unset",
    title: "key: { env: VAR } with the variable unset",
    files: (m) => serverCertificate(m, { body: "certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { env: CERTFORM_CATALOGUE_UNSET_KEY }\n" }),
    expect: { code: "env-unset", at: "CERTFORM_CATALOGUE_UNSET_KEY", message: "CERTFORM_CATALOGUE_UNSET_KEY is not set", hint: "PEM text in CERTFORM_CATALOGUE_UNSET_KEY" },
  }),
  stackCase({
    id: "key-passphrase-interpolation-unset",
    title: "an encrypted key whose passphrase: \"${env:VAR}\" is unset: that alone, not a wrong passphrase too",
    files: (m) => serverCertificate(m, { key: m.encryptedKeyPem, body: "certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key, passphrase: \"${env:CERTFORM_CATALOGUE_UNSET_PASS}\" }\n" }),
    expect: { code: "env-unset", at: "\"${env:CERTFORM_CATALOGUE_UNSET_PASS}", message: "CERTFORM_CATALOGUE_UNSET_PASS is not set", hint: "set CERTFORM_CATALOGUE_UNSET_PASS", alone: true },
  }),
  stackCase({
    id: "key-env-not-a-key",
    title: "key: { env: VAR } holding something else than a key",
    env: { CERTFORM_CATALOGUE_KEY: "my-secret-password" },
    files: (m) => serverCertificate(m, { body: "certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { env: CERTFORM_CATALOGUE_KEY }\n" }),
    expect: { code: "undecodable", at: "CERTFORM_CATALOGUE_KEY", message: "text with no PEM block", hint: "the private key as PEM or DER" },
  }),
  stackCase({
    id: "pkcs12-wrong-passphrase",
    title: "a PKCS#12 file with the wrong passphrase",
    env: { CERTFORM_CATALOGUE_P12: "not the passphrase" },
    files: (m) => ({ "stack.yaml": stackText(m, P12_BODY), "api.p12": m.p12 }),
    expect: { code: "pkcs12-passphrase", at: "api.p12", message: "passphrase is wrong", hint: "the passphrase variable" },
  }),
  stackCase({
    id: "pkcs12-no-passphrase",
    title: "a protected PKCS#12 file without a passphrase",
    files: (m) => ({ "stack.yaml": stackText(m, P12_NO_PASSPHRASE), "api.p12": m.p12 }),
    expect: { code: "pkcs12-passphrase-required", at: "api.p12", message: "protected by a passphrase and none is given", hint: "add passphrase: ${env:VAR}" },
  }),
  stackCase({
    id: "pkcs12-junk",
    title: "random bytes given as a PKCS#12 file",
    env: { CERTFORM_CATALOGUE_P12: PASSPHRASE },
    files: (m) => ({ "stack.yaml": stackText(m, P12_BODY), "api.p12": Buffer.concat([Buffer.from("JUNK"), randomBytes(2044)]) }),
    expect: { code: "undecodable", at: "api.p12", message: "not a PKCS#12", hint: "a .p12 or .pfx file" },
  }),
  stackCase({
    id: "pkcs12-truncated",
    title: "a PKCS#12 file cut in half",
    env: { CERTFORM_CATALOGUE_P12: PASSPHRASE },
    files: (m) => ({ "stack.yaml": stackText(m, P12_BODY), "api.p12": m.p12.subarray(0, m.p12.length >> 1) }),
    expect: { code: "undecodable", at: "api.p12", message: "not a PKCS#12", hint: "a .p12 or .pfx file" },
  }),
  stackCase({
    id: "key-missing",
    title: "a server certificate without a key",
    files: (m) => serverCertificate(m, { body: "certificates:\n  api:\n    certificate: { file: api.pem }\n" }),
    expect: { code: "key-missing", at: "api:", address: "certificates.api", message: "needs its private key", hint: "add key: { file: PATH }" },
  }),
  stackCase({
    id: "key-with-generate",
    title: "a key given to a generated certificate",
    files: (m) => serverCertificate(m, { body: 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    key: { file: api.key }\n' }),
    expect: { code: "key-with-generate", at: "key:", address: "certificates.api", message: "a generated certificate takes no key", hint: "remove the key" },
  }),
];
