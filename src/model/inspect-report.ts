import { z } from "zod";

const fingerprint = () => z.string().regex(/^([0-9A-F]{2}:)+[0-9A-F]{2}$/).describe('Uppercase hex pairs joined by colons, as X509Certificate#fingerprint256 writes them.');

export const KeyInfoSchema = z
  .object({
    type: z.string().describe('RSA, EC, Ed25519, Ed448, RSA-PSS, DSA, DH, …; for a key OpenSSL cannot load, a name for its algorithm ("GOST R 34.10-2012") or "unknown".'),
    bits: z.number().int().optional(),
    curve: z.string().optional().describe("P-256, P-384, P-521, or OpenSSL's name for other curves (brainpoolP256r1)."),
    algorithm: z.string().regex(/^\d+(\.\d+)+$/).optional().describe("The dotted OID of the key's algorithm, given only when OpenSSL cannot load the key; there is then no size."),
    fingerprint256: fingerprint().describe("SHA-256 over the public key's SubjectPublicKeyInfo (DER)."),
  })
  .meta({ id: "KeyInfo", description: "A key is only ever shown by type, size and public-key fingerprint." });

export const CertificateInfoSchema = z
  .object({
    subject: z.string().describe('Distinguished name on one line, most specific first: "CN=api.example.com, O=Example".'),
    issuer: z.string(),
    serialNumber: z.string().regex(/^[0-9A-F]+$/).describe("Uppercase hex."),
    sans: z.array(z.string()).describe('Typed entries: "DNS:api.example.com", "IP:10.0.0.1", "URI:…", "email:…".'),
    notBefore: z.string().describe("ISO 8601, UTC."),
    notAfter: z.string().describe("ISO 8601, UTC."),
    daysLeft: z.number().int().describe("floor((notAfter − now) / 86400 s); negative once expired."),
    status: z.enum(["Active", "Expired", "NotYetValid"]),
    fingerprints: z.object({ sha256: fingerprint(), sha1: fingerprint() }),
    publicKey: KeyInfoSchema,
    signatureAlgorithm: z.string().describe('e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA256"; the dotted OID when unknown.'),
    isCA: z.boolean(),
    selfSigned: z.boolean(),
  })
  .meta({ id: "CertificateInfo" });

export const ChainEntrySchema = CertificateInfoSchema.extend({
  position: z.number().int().min(0).describe("0 = the leaf."),
  link: z
    .object({
      issuer: z.number().int().min(1).describe("Position of the next certificate, the presumed issuer."),
      verifies: z.boolean().describe("The next certificate issued this one: names match and the signature verifies."),
      reason: z.string().optional().describe("Why the link does not verify."),
    })
    .optional()
    .describe("Absent on the last certificate."),
}).meta({ id: "ChainEntry" });

const MatchedKeySchema = KeyInfoSchema.extend({
  matchesLeaf: z.boolean().describe("The key belongs to the leaf certificate."),
});

const certificateReport = <K extends "certificate" | "url" | "pkcs12">(kind: K) =>
  CertificateInfoSchema.extend({
    format_version: z.literal("1"),
    kind: z.literal(kind),
    source: z.string().describe("The file path or URL inspected."),
    chain: z.array(ChainEntrySchema).min(1).describe("Every certificate, leaf first, with whether each link verifies."),
    key: MatchedKeySchema.optional().describe("A private key found next to the certificates, described (never shown)."),
  });

export const InspectCertificateReportSchema = certificateReport("certificate").describe("A PEM or DER certificate or chain file; the top level describes the first (leaf) certificate.");
export const InspectUrlReportSchema = certificateReport("url").describe("What a TLS server presents (https:// or ldaps://).");
export const InspectPkcs12ReportSchema = certificateReport("pkcs12").extend({
  friendlyNames: z.array(z.string()),
}).describe("The contents of a .p12/.pfx bundle.");
export const InspectKeyReportSchema = z
  .object({
    format_version: z.literal("1"),
    kind: z.literal("key"),
    source: z.string(),
    key: KeyInfoSchema,
  })
  .describe("A private key file, described by type and public-key fingerprint only.");

export const KeystoreEntryReportSchema = CertificateInfoSchema.extend({
  alias: z.string(),
  type: z.enum(["privateKey", "trustedCertificate"]).describe("privateKey: a key with its certificate chain; trustedCertificate: one certificate."),
  created: z.string().describe("When the entry was added to the keystore, ISO 8601, UTC."),
  chainLength: z.number().int().min(1).describe("Certificates in the entry: the chain of a private-key entry, 1 for a trusted certificate."),
})
  .describe("One entry; the certificate fields describe its certificate (a private-key entry's leaf). Keys are never opened.")
  .meta({ id: "KeystoreEntry" });

export const InspectKeystoreReportSchema = z
  .object({
    format_version: z.literal("1"),
    kind: z.literal("keystore"),
    source: z.string(),
    keystoreType: z.enum(["JKS", "JCEKS"]),
    integrityChecked: z.boolean().describe("false when no passphrase was given (--passphrase-env): the entries were listed without checking the keystore's integrity."),
    entries: z.array(KeystoreEntryReportSchema),
  })
  .describe("A Java keystore (JKS or JCEKS): its entries, in the keystore's order.");

export const InspectSuccessSchema = z.discriminatedUnion("kind", [
  InspectCertificateReportSchema,
  InspectUrlReportSchema,
  InspectPkcs12ReportSchema,
  InspectKeyReportSchema,
  InspectKeystoreReportSchema,
]);

export const InspectErrorSchema = z
  .object({
    error: z.object({ code: z.string().describe("Stable kebab-case identifier."), message: z.string(), hint: z.string() }),
  })
  .describe("Printed instead of a report when inspect fails (exit code 1).");

/** `certform inspect --format json`: exactly one of these documents on stdout. */
export const InspectReportSchema = z.union([InspectSuccessSchema, InspectErrorSchema]).meta({ title: "certform inspect report" });

export type KeyInfoReport = z.infer<typeof KeyInfoSchema>;
export type ChainEntry = z.infer<typeof ChainEntrySchema>;
export type KeystoreEntryReport = z.infer<typeof KeystoreEntryReportSchema>;
export type InspectSuccess = z.infer<typeof InspectSuccessSchema>;
export type InspectError = z.infer<typeof InspectErrorSchema>;
export type InspectReport = z.infer<typeof InspectReportSchema>;
