import { z } from "zod";
import { ALIAS_PATTERN, NAME_PATTERN } from "./names.js";

// manifest.json of a certform bundle (certform export): what an environment's gateway held, the files that
// carry it, and what is missing from it. A JSON bundle (export --format json) is the same document with the
// files inline under `contents`. The manifest holds no time of its own: exporting the same state twice gives
// the same bytes.

export const BUNDLE_FORMAT = "certform-bundle";
export const BUNDLE_FORMAT_VERSION = "1";
/** The variable that holds the passphrase of a bundle's encrypted keys (never an argument). */
export const PASSPHRASE_VARIABLE = "CERTFORM_BUNDLE_PASSPHRASE";

const Fingerprint = z.string().describe("SHA-256, uppercase hex pairs joined by colons.");
const Address = z.string().describe("KIND.NAME, without the environment: certificates.api.");
const FilePath = z.string().describe("Path of a file in the bundle, / separated.");

const Common = {
  name: z.string().regex(NAME_PATTERN).describe("The resource name: from the stack's address label when the stack owns the object, else the gateway's name."),
  address: Address,
  objectName: z.string().describe("The object's name on the gateway (the alias for trusted certificates)."),
  owned: z.boolean().describe("Owned by the exported stack (false: exported with --all)."),
  labels: z.record(z.string(), z.string()).describe("The object's labels as the gateway holds them."),
  protect: z.boolean(),
};

export const KeyStatus = z
  .object({
    status: z.enum(["included", "missing", "not-exportable"]),
    file: FilePath.optional().describe("included: the key, encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)."),
    reason: z.string().optional().describe("missing / not-exportable: why."),
  })
  .meta({ id: "BundleKeyStatus" });

/**
 * A certificate an outside CA signs for a key the gateways make (generate: { csr }): the request's settings,
 * so that the target makes its own key and request. The key itself never leaves the source's gateways.
 */
export const BundleCsr = z
  .object({
    subject: z.string().optional().describe("The request's subject DN, when the stack set one (default CN=<first host>)."),
    hosts: z.array(z.string()).describe("What the request asks for (its subjectAltName)."),
    keyType: z.string(),
    renewBefore: z.string(),
  })
  .meta({ id: "BundleCsr", description: "Signed by an outside CA for a key made on the gateways: the settings of its signing request." });

export const BundleCertificate = z
  .object({
    kind: z.literal("certificates"),
    ...Common,
    fingerprint256: Fingerprint.describe("Of the leaf."),
    chain: z.array(Fingerprint).describe("Every certificate of the chain as served, leaf first."),
    keyFingerprint256: Fingerprint.describe("Of the public key: how a key appears."),
    subject: z.string(),
    issuer: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
    hosts: z.array(z.string()),
    default: z.boolean(),
    generated: z.boolean(),
    generate: z
      .object({
        hosts: z.array(z.string()),
        keyType: z.string(),
        validity: z.string(),
        renewBefore: z.string(),
        subject: z.string().optional(),
        issuerFile: FilePath.optional().describe("The issuing CA's chain, when it was issued from a CA."),
        acme: z
          .object({ directory: z.string(), email: z.string().optional(), challenge: z.enum(["tls-alpn-01", "http-01"]) })
          .optional()
          .describe("Ordered from an ACME CA: the order's settings (the account key and CA bundle stay with the stack)."),
      })
      .optional()
      .describe("Generated certificates: the settings to generate it again elsewhere (a new key, a new certificate)."),
    csr: BundleCsr.optional().describe("Signed by an outside CA for a key the gateways made (generate: { csr }): the certificate is here as public information; the target makes its own key and request."),
    file: FilePath.describe("The chain as PEM, leaf first."),
    key: KeyStatus,
    issuerKey: KeyStatus.optional().describe("Generated from a CA: that CA's key."),
  })
  .meta({ id: "BundleCertificate" });

export const BundleTrusted = z
  .object({ kind: z.literal("trustedCertificates"), ...Common, alias: z.string().regex(ALIAS_PATTERN), fingerprint256: Fingerprint, subject: z.string(), issuer: z.string(), notAfter: z.string(), file: FilePath })
  .meta({ id: "BundleTrustedCertificate" });

export const BundleEndpoint = z
  .object({ kind: z.literal("endpoints"), ...Common, url: z.string(), path: z.string(), trustedAliases: z.array(z.string()) })
  .meta({ id: "BundleEndpoint" });

export const BundleTrust = z
  .object({
    kind: z.literal("trustAssignments"),
    ...Common,
    alias: z.string().describe("The trusted alias it binds."),
    endpoint: z.string().optional(),
    scope: z.enum(["environment", "management", "clients"]).optional(),
    hosts: z.array(z.string()).optional(),
    required: z.boolean().optional(),
  })
  .meta({ id: "BundleTrustAssignment" });

export const BundleJwk = z
  .object({
    kind: z.literal("jwks"),
    ...Common,
    kid: z.string(),
    use: z.enum(["sig", "enc"]),
    alg: z.string().optional(),
    source: z.union([z.object({ certificate: z.string() }), z.object({ trusted: z.string() })]).nullable().describe("The gateway object it is derived from, while linked."),
    onCertificateChange: z.enum(["update", "disconnect"]),
    onCertificateDelete: z.enum(["delete", "disconnect"]),
    file: FilePath.describe("The public JWK as published (JSON)."),
  })
  .meta({ id: "BundleJwk" });

export const BundleRequest = z
  .object({
    ...Common,
    hosts: z.array(z.string()).describe("The hosts it is to be served for once signed."),
    default: z.boolean(),
    csr: BundleCsr,
    keyFingerprint256: Fingerprint.describe("Of the pending key's public key (the key stays on the gateways)."),
    key: KeyStatus,
  })
  .meta({ id: "BundleRequest", description: "A pending signing request (generate: { csr }) whose certificate the CA has not signed yet: a certificates resource without a certificate." });

export const BundleObject = z.discriminatedUnion("kind", [BundleCertificate, BundleTrusted, BundleEndpoint, BundleTrust, BundleJwk]).meta({ id: "BundleObject" });

export const BundleLink = z
  .object({
    type: z.enum(["trusts", "endpoint", "derived-from", "disconnected-from"]).describe("trusts: trust assignment → trusted certificate; endpoint: trust assignment → endpoint; derived-from: JWK → its certificate; disconnected-from: JWK → the certificate it came from."),
    from: Address,
    to: Address,
  })
  .meta({ id: "BundleLink" });

export const BundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    format_version: z.literal(BUNDLE_FORMAT_VERSION),
    certform_version: z.string(),
    source: z.object({
      stack: z.string().regex(NAME_PATTERN),
      environment: z.string().regex(NAME_PATTERN),
      gateway: z.string().describe("Provider kind."),
      revision: z.number().int().optional().describe("With scope all: the store revision read (the state's own counter, not a time)."),
      scope: z.enum(["owned", "all"]).describe("owned: the objects the stack owns; all: everything the gateway held (--all)."),
    }),
    objects: z.array(BundleObject).describe("Sorted by kind, then name."),
    requests: z.array(BundleRequest).optional().describe("Pending signing requests without a certificate yet, sorted by name; left out when there are none (a certificate already installed carries its request's settings as `csr`)."),
    links: z.array(BundleLink),
    missing: z.array(z.object({ what: z.string().describe('e.g. "key of certificates.api"'), address: Address, reason: z.string() })),
    files: z.array(z.object({ path: FilePath, sha256: z.string().describe("Lowercase hex SHA-256 of the file's bytes."), size: z.number().int() })).describe("Every file of the bundle but manifest.json, sorted by path."),
    contents: z.record(z.string(), z.string()).optional().describe("JSON bundles only: every file's text, by path."),
  })
  .meta({ title: "certform bundle", description: "manifest.json of certform export bundles; with `contents`, a JSON bundle (export --format json). See docs/bundles.md." });

export type BundleManifest = z.infer<typeof BundleManifestSchema>;
export type BundleObjectValue = z.infer<typeof BundleObject>;
export type BundleCertificateValue = z.infer<typeof BundleCertificate>;
export type BundleCsrValue = z.infer<typeof BundleCsr>;
export type BundleRequestValue = z.infer<typeof BundleRequest>;
export type BundleKeyStatusValue = z.infer<typeof KeyStatus>;
