import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { daysAgo, daysFromNow, exportPkcs12, issue, keyToPem, leaf, makeCsrPem, makeKeystore, makePki, type Issued, type Pki } from "../support/pki.js";

// Everything the catalogue's cases are made of, generated once per run: no case file holds a key or a
// certificate, and every private key made here is listed so that the runner can check no output echoes one.

export const PASSPHRASE = "correct horse battery staple";

export interface Gateways {
  /** Admin URLs of the two embedded gateways: environment dev and environment prod. */
  dev: string;
  prod: string;
  /** The dev gateway's data plane (https://127.0.0.1:PORT): a real TLS server for url: sources. */
  devListen: string;
}

export interface Material {
  /** root → intermediate → leaf for api.example.com and www.example.com. */
  pki: Pki;
  /** A second leaf for api.example.com: its key does not match pki.leaf. */
  other: Issued;
  expired: Issued;
  notYetValid: Issued;
  /** A certificate with no subjectAltName extension. */
  noSan: Issued;
  /** A certificate whose only SAN is *.example.com. */
  wildcard: Issued;
  csrPem: string;
  /** pki.leaf's key as encrypted PKCS#8 under PASSPHRASE. */
  encryptedKeyPem: string;
  /** pki.leaf with its key and the intermediate, under PASSPHRASE. */
  p12: Buffer;
  /** A JKS keystore made by keytool under PASSPHRASE: "api" (pki.leaf, its key and the intermediate) and "partner-ca" (the root, trusted). */
  jks: Buffer;
  /** A JCEKS keystore holding a secret-key entry, which certform cannot read. */
  jceksSecret: Buffer;
  gateways: Gateways;
  /** Every private key above: none may appear in any output. */
  keys: KeyObject[];
}

export async function makeMaterial(gateways: Gateways): Promise<Material> {
  const pki = await makePki({ hosts: ["api.example.com", "www.example.com"] });
  const other = await leaf({ hosts: ["api.example.com"], issuer: pki.intermediate });
  const expired = await leaf({ hosts: ["api.example.com"], issuer: pki.intermediate, notBefore: daysAgo(100), notAfter: daysAgo(10) });
  const notYetValid = await leaf({ hosts: ["api.example.com"], issuer: pki.intermediate, notBefore: daysFromNow(10), notAfter: daysFromNow(100) });
  const noSan = await issue({ subject: "CN=api.example.com", noSan: true, issuer: pki.intermediate, validityDays: 90 });
  const wildcard = await leaf({ hosts: ["*.example.com"], issuer: pki.intermediate });
  const p12Path = await exportPkcs12({ leaf: pki.leaf, chain: [pki.intermediate.certificate], passphrase: PASSPHRASE });
  const jks = await makeKeystore({ type: "JKS", passphrase: PASSPHRASE, keys: [{ alias: "api", leaf: pki.leaf, chain: [pki.intermediate.certificate] }], trusted: [{ alias: "partner-ca", pem: pki.root.pem }] });
  const jceksSecret = await makeKeystore({ type: "JCEKS", passphrase: PASSPHRASE, secretKey: "session-key" });
  return {
    pki,
    other,
    expired,
    notYetValid,
    noSan,
    wildcard,
    csrPem: await makeCsrPem("/CN=api.example.com"),
    encryptedKeyPem: keyToPem(pki.leaf.key, { passphrase: PASSPHRASE }),
    p12: readFileSync(p12Path),
    jks: readFileSync(jks),
    jceksSecret: readFileSync(jceksSecret),
    gateways,
    keys: [pki.root, pki.intermediate, pki.leaf, other, expired, notYetValid, noSan, wildcard].map((i) => i.key),
  };
}
