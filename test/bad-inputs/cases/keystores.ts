import { stackCase, stackText, type Files, type StackCase } from "../case.js";
import type { Material } from "../material.js";
import { PASSPHRASE } from "../material.js";

// Java keystores (JKS, JCEKS) as sources: locked, misnamed, of the wrong kind, or not readable at all.

const PASS = '"${env:CERTFORM_CATALOGUE_KS}"';
const env = { CERTFORM_CATALOGUE_KS: PASSPHRASE };

/** A stack whose `body` reads store.jks (or `store` bytes under `file`). */
function keystoreStack(m: Material, body: string, store: Buffer = m.jks, file = "store.jks"): Files {
  return { "stack.yaml": stackText(m, body), [file]: store };
}
const server = (source: string) => `certificates:\n  api:\n    certificate: ${source}\n`;
const trusted = (source: string) => `trustedCertificates:\n  partner-ca:\n    certificate: ${source}\n`;

export const keystoreCases: StackCase[] = [
  stackCase({
    id: "keystore-key-given",
    title: "key: beside a keystore's private-key entry, which carries the key",
    env,
    files: (m) => keystoreStack(m, `${server(`{ file: store.jks, alias: api, passphrase: ${PASS} }`)}    key: { file: store.jks }\n`),
    expect: { code: "keystore-key-given", at: "key:", address: "certificates.api", message: "carries the certificate's key, so key: does not apply", hint: "remove key:", alone: true },
  }),
  stackCase({
    id: "keystore-wrong-passphrase",
    title: "a keystore opened with the wrong passphrase",
    env: { CERTFORM_CATALOGUE_KS: "wrong horse" },
    files: (m) => keystoreStack(m, trusted(`{ file: store.jks, alias: partner-ca, passphrase: ${PASS} }`)),
    expect: { code: "keystore-passphrase", at: PASS, address: "trustedCertificates.partner-ca[dev]", message: "the passphrase does not open keystore store.jks (JKS)", hint: "the keystore's store password" },
  }),
  stackCase({
    id: "keystore-no-passphrase",
    title: "a keystore without its passphrase",
    files: (m) => keystoreStack(m, trusted("{ file: store.jks, alias: partner-ca }")),
    expect: { code: "keystore-passphrase-required", at: "store.jks", message: "keystore store.jks (JKS) needs its passphrase", hint: "add passphrase: ${env:VAR}" },
  }),
  stackCase({
    id: "keystore-passphrase-env-unset",
    title: "a keystore passphrase read from a variable that is not set",
    files: (m) => keystoreStack(m, trusted("{ file: store.jks, alias: partner-ca, passphrase: { env: CERTFORM_CATALOGUE_UNSET } }")),
    expect: { code: "env-unset", at: "CERTFORM_CATALOGUE_UNSET", message: "environment variable CERTFORM_CATALOGUE_UNSET is not set", hint: "set CERTFORM_CATALOGUE_UNSET to the passphrase" },
  }),
  stackCase({
    id: "keystore-alias-missing",
    title: "an alias the keystore does not hold",
    env,
    files: (m) => keystoreStack(m, trusted(`{ file: store.jks, alias: partner, passphrase: ${PASS} }`)),
    expect: { code: "keystore-alias-missing", at: "partner,", message: 'has no entry with alias "partner"; it holds: "api" (private key), "partner-ca" (trusted certificate)', hint: "fix the alias, or list the keystore with certform inspect store.jks" },
  }),
  stackCase({
    id: "keystore-alias-required",
    title: "no alias for a keystore of several entries",
    env,
    files: (m) => keystoreStack(m, server(`{ file: store.jks, passphrase: ${PASS} }`)),
    expect: { code: "keystore-alias-required", at: "store.jks", address: "certificates.api[dev]", message: "holds 2 entries, and no alias: says which one to use", hint: "add alias: NAME to the source, naming a private key entry" },
  }),
  stackCase({
    id: "keystore-trusted-entry-as-server",
    title: "a trusted-certificate entry given as a server certificate",
    env,
    files: (m) => keystoreStack(m, server(`{ file: store.jks, alias: partner-ca, passphrase: ${PASS} }`)),
    expect: { code: "keystore-entry-type", at: "partner-ca,", address: "certificates.api[dev]", message: 'alias "partner-ca" of keystore store.jks (JKS) is a trusted certificate entry, where a private key entry is needed', hint: "a server certificate needs a private-key entry" },
  }),
  stackCase({
    id: "keystore-key-entry-as-trusted",
    title: "a private-key entry given as a trusted certificate",
    env,
    files: (m) => keystoreStack(m, trusted(`{ file: store.jks, alias: api, passphrase: ${PASS} }`)),
    expect: { code: "keystore-entry-type", at: "api,", address: "trustedCertificates.partner-ca[dev]", message: 'alias "api" of keystore store.jks (JKS) is a private key entry, where a trusted certificate entry is needed', hint: "a trusted certificate comes from a trusted-certificate entry" },
  }),
  stackCase({
    id: "keystore-wrong-key-passphrase",
    title: "a private-key entry opened with the wrong key password",
    env: { ...env, CERTFORM_CATALOGUE_KEY_PASS: "wrong horse" },
    files: (m) => keystoreStack(m, server(`{ file: store.jks, alias: api, passphrase: ${PASS}, keyPassphrase: "\${env:CERTFORM_CATALOGUE_KEY_PASS}" }`)),
    expect: { code: "keystore-key-passphrase", at: '"${env:CERTFORM_CATALOGUE_KEY_PASS}"', message: 'the key password does not open the private key of alias "api" of keystore store.jks (JKS)', hint: "give the entry's key password (keytool -keypass)" },
  }),
  stackCase({
    id: "keystore-secret-key-entry",
    title: "a JCEKS keystore holding a secret key",
    env,
    files: (m) => keystoreStack(m, trusted(`{ file: secrets.jceks, alias: partner-ca, passphrase: ${PASS} }`), m.jceksSecret, "secrets.jceks"),
    expect: { code: "keystore-unsupported", at: "secrets.jceks", message: "keystore secrets.jceks (JCEKS) holds a secret-key entry, which certform cannot read", hint: "keytool -importkeystore -srcalias ALIAS" },
  }),
  stackCase({
    id: "keystore-truncated",
    title: "a keystore cut off in the middle",
    env,
    files: (m) => keystoreStack(m, trusted(`{ file: store.jks, alias: partner-ca, passphrase: ${PASS} }`), m.jks.subarray(0, Math.floor(m.jks.length / 2))),
    expect: { code: "keystore-malformed", at: "store.jks", message: "keystore store.jks (JKS) is malformed", hint: "the file may be truncated" },
  }),
  stackCase({
    id: "keystore-alias-on-pkcs12",
    title: "a keystore alias given to a PKCS#12 source",
    env,
    files: (m) => ({ "stack.yaml": stackText(m, server(`{ pkcs12: api.p12, passphrase: ${PASS}, alias: api }`)), "api.p12": m.p12 }),
    expect: { code: "unknown-key", at: "alias: api", address: "certificates.api", message: 'unknown key "alias" in certificates.api.certificate', hint: "alias goes with { file: … }; remove it from this source" },
  }),
  stackCase({
    id: "keystore-fields-on-pem",
    title: "an alias given for a PEM file",
    files: (m) => ({ "stack.yaml": stackText(m, trusted("{ file: ca.pem, alias: partner-ca }")), "ca.pem": m.pki.root.pem }),
    expect: { code: "keystore-fields-unused", at: "partner-ca }", message: "alias applies to a JKS or JCEKS keystore, and ca.pem is not one", hint: "remove alias, or point file: at the keystore" },
  }),
];
