import { z } from "zod";
import { TemplateString } from "./names.js";

export const FINGERPRINT_PATTERN = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;

export const Sha256Schema = z
  .string()
  .regex(FINGERPRINT_PATTERN, "a SHA-256 fingerprint is 32 hex pairs joined by colons, e.g. AB:CD:…")
  .describe("SHA-256 fingerprint as Node's fingerprint256 writes it: uppercase hex pairs joined by colons.");

const Passphrase = TemplateString.describe(
  "Passphrase, normally ${env:VAR}: a passphrase written in the stack is a secret in version control.",
);

/** A keystore passphrase: text (normally ${env:VAR}) or the name of the variable that holds it. */
const KeystorePassphrase = z
  .union([
    Passphrase,
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name").describe("Environment variable holding the passphrase.") }),
  ])
  .meta({ id: "KeystorePassphrase", description: "The passphrase, as ${env:VAR} or { env: VAR }: a passphrase written in the stack is a secret in version control." });
export type KeystorePassphrase = z.output<typeof KeystorePassphrase>;

export const FileSource = z
  .strictObject({
    file: TemplateString.describe("Path to a PEM (one or more blocks) or DER file, or a JKS/JCEKS keystore (told apart by content), relative to the stack file."),
    alias: z.string().min(1).optional().describe("Keystore only: the alias of the entry to read; may be left out when the keystore holds one entry."),
    passphrase: KeystorePassphrase.optional().describe("Keystore only: the keystore's passphrase (store password), which checks its integrity."),
    keyPassphrase: KeystorePassphrase.optional().describe("Keystore only: the private-key entry's key password, when it differs from the keystore's passphrase."),
  })
  .meta({ title: "file" });

export const PemSource = z
  .strictObject({ pem: TemplateString.describe("PEM text: one or more -----BEGIN CERTIFICATE----- blocks, leaf first.") })
  .meta({ title: "pem" });

export const Base64Source = z
  .strictObject({
    base64: TemplateString.describe("Base64 text as pasted from a console."),
    encoding: z.enum(["BASE64", "BASE64PEM"]).describe("BASE64: the DER bytes in base64. BASE64PEM: the PEM text in base64."),
  })
  .meta({ title: "base64" });

export const Pkcs12Source = z
  .strictObject({
    pkcs12: TemplateString.describe("Path to a PKCS#12 (.p12/.pfx) file holding the chain and the key."),
    passphrase: Passphrase.optional(),
  })
  .meta({ title: "pkcs12" });

export const UrlSource = z
  .strictObject({
    url: TemplateString.describe("https://host:port or ldaps://host:port: captured from a TLS handshake at plan time."),
    select: z
      .enum(["leaf", "root", "chain"])
      .default("leaf")
      .describe("What to take from the presented chain: the leaf, the last (root-most) certificate, or all of it."),
    sha256: Sha256Schema.optional().describe("Pin: the SHA-256 fingerprint that must be seen there (of the selected certificate)."),
    servername: TemplateString.optional().describe("SNI name to send; default: the URL's host name."),
  })
  .meta({ title: "url" });

export const CertificateSourceSchema = z
  .union([FileSource, PemSource, Base64Source, Pkcs12Source, UrlSource])
  .meta({ id: "CertificateSource", description: "Where the certificate comes from: exactly one of file (PEM, DER, or a JKS/JCEKS keystore entry), pem, base64, pkcs12, url." });
export type CertificateSource = z.output<typeof CertificateSourceSchema>;

export const KeySourceSchema = z
  .union([
    z
      .strictObject({
        file: TemplateString.describe("Path to a PEM or DER private key (PKCS#8, PKCS#1 or SEC1), relative to the stack file."),
        passphrase: Passphrase.optional(),
      })
      .meta({ title: "file" }),
    z
      .strictObject({
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name").describe("Environment variable holding the PEM text of the key."),
        passphrase: Passphrase.optional(),
      })
      .meta({ title: "env" }),
    Pkcs12Source,
  ])
  .meta({ id: "KeySource", description: "Where the private key comes from: exactly one of file, env, pkcs12. A key is never written inline." });
export type KeySource = z.output<typeof KeySourceSchema>;

export const KEY_TYPES = ["ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096"] as const;
