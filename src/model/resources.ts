import { z } from "zod";
import { NameSchema, TemplateString } from "./names.js";
import { DurationSchema } from "./duration.js";
import { CertificateSourceSchema, KeySourceSchema, KEY_TYPES } from "./sources.js";

const Environments = z
  .array(NameSchema)
  .min(1, "list at least one environment, or leave `environments` out to mean all of them")
  .optional()
  .describe("Environments this resource exists in; default: every environment of the stack.");

const Description = z.string().optional().describe("Free text for people; not sent to gateways.");

const Hosts = z.array(TemplateString).min(1, "list at least one host");

export const ACME_CHALLENGES = ["tls-alpn-01", "http-01"] as const;

export const AcmeSchema = z
  .strictObject({
    directory: TemplateString.describe("The ACME CA's directory URL (https://…), e.g. https://acme-v02.api.letsencrypt.org/directory."),
    email: TemplateString.optional().describe("Contact address of the ACME account (the CA's expiry and policy mail)."),
    challenge: z
      .enum(ACME_CHALLENGES)
      .default("tls-alpn-01")
      .describe("How the CA checks control of each host: tls-alpn-01 on the gateway's TLS listener (port 443 as the CA sees it), http-01 on its plain HTTP listener (port 80, `gateway start --http`)."),
    caBundle: CertificateSourceSchema.optional().describe("CA certificates that sign the directory's own HTTPS certificate, when it is not a public CA (a private ACME CA, Pebble)."),
    key: KeySourceSchema.optional().describe("The ACME account key; default: made on first use and kept in .certform/acme/ beside the stack."),
  })
  .meta({ id: "Acme", description: "Order the certificate from an ACME CA (RFC 8555) at apply time; the gateway answers the CA's challenge on every node." });

export const CsrSchema = z
  .strictObject({
    subject: TemplateString.optional().describe("Subject DN of the request, most specific first (\"CN=api.example.com, O=Example\"); default: CN=<first host>."),
    hosts: Hosts.describe("DNS names or IP addresses the request asks for (its subjectAltName)."),
    keyType: z.enum(KEY_TYPES).default("ec-p256"),
  })
  .meta({ id: "Csr", description: "Have the gateways make the key and a certificate signing request for an outside CA; give the signed certificate back as certificate: { file }." });

export const GenerateSchema = z
  .strictObject({
    hosts: Hosts.optional().describe("DNS names (wildcards allowed) or IP addresses the generated certificate covers (not with csr:, which names its own)."),
    keyType: z.enum(KEY_TYPES).default("ec-p256"),
    validity: DurationSchema.default("90d"),
    renewBefore: DurationSchema.default("30d").describe("Plan replaces the certificate once it is inside this window."),
    subject: TemplateString.optional().describe("Subject common name; default: the first host."),
    issuer: z
      .strictObject({ certificate: CertificateSourceSchema, key: KeySourceSchema })
      .optional()
      .describe("Issue from your CA instead of self-signing."),
    acme: AcmeSchema.optional().describe("Order from an ACME CA instead of self-signing; validity is then the CA's."),
    csr: CsrSchema.optional().describe("Have an outside CA sign it: the gateways make the key, `certform csr` writes the request, and the signed certificate comes back as certificate: { file } beside generate:."),
  })
  .meta({ id: "Generate", description: "Made at apply time, once per environment: every node serves the same one; its key never leaves the environment's gateways." });

export const CertificateResourceSchema = z
  .strictObject({
    environments: Environments,
    description: Description,
    certificate: CertificateSourceSchema.optional().describe("Leaf first, then intermediates."),
    chain: CertificateSourceSchema.optional().describe(
      "Intermediates (and optionally the root) when they are kept apart from the leaf, like a console's CA field.",
    ),
    key: KeySourceSchema.optional(),
    generate: GenerateSchema.optional(),
    hosts: Hosts.optional().describe("SNI names served with this certificate; default: its DNS SANs. Each must be covered by a SAN."),
    default: z.boolean().default(false).describe("Served to clients whose SNI matches no host."),
    protect: z.boolean().default(false).describe("certform refuses to delete it; replacing stays allowed."),
  })
  .meta({ id: "Certificate", description: "A TLS server certificate that the gateway serves, chosen by SNI." });

export const TrustedCertificateResourceSchema = z
  .strictObject({
    environments: Environments,
    description: Description,
    alias: TemplateString.optional().describe("Truststore alias; default: the name. [A-Za-z0-9._-]{1,64}, unique per environment."),
    certificate: CertificateSourceSchema,
    protect: z.boolean().default(false),
  })
  .meta({ id: "TrustedCertificate", description: "A truststore entry: a backend's CA or self-signed certificate." });

export const EndpointResourceSchema = z
  .strictObject({
    environments: Environments,
    description: Description,
    url: TemplateString.describe("Backend URL; may use ${var:…} and ${environment}."),
    path: TemplateString.optional().describe("Route prefix on the gateway's listener; default /<name>."),
    protect: z.boolean().default(false),
  })
  .meta({ id: "Endpoint", description: "A backend the gateway proxies to." });

export const TRUST_SCOPES = ["environment", "management", "clients"] as const;

export const TrustAssignmentResourceSchema = z
  .strictObject({
    environments: Environments,
    description: Description,
    certificate: NameSchema.describe("A trustedCertificates name."),
    endpoint: NameSchema.optional().describe(
      "The endpoint that trusts it (its backend). Exactly one of endpoint / scope, except that scope: clients may name an endpoint: then only that endpoint's routes require the client certificate.",
    ),
    scope: z
      .enum(TRUST_SCOPES)
      .optional()
      .describe(
        "environment: every endpoint of the environment; management: the gateway's own outbound calls; clients: mutual TLS for clients of `hosts` (with endpoint: for that endpoint's routes only).",
      ),
    hosts: Hosts.optional().describe(
      "With scope: clients — the hosts that ask clients for a certificate chained to it (default: every host). Without endpoint, every request to them needs one; with endpoint, only requests to that endpoint's routes, which no other host can then serve to a client without one.",
    ),
    required: z.boolean().optional().describe("With scope: clients — false lets clients without a certificate through (default true)."),
  })
  .meta({ id: "TrustAssignment", description: "Who trusts what: exactly one of endpoint / scope; scope: clients may also name an endpoint." });

export const JwkResourceSchema = z
  .strictObject({
    environments: Environments,
    description: Description,
    certificate: NameSchema.describe("A certificates or trustedCertificates name."),
    use: z.enum(["sig", "enc"]).default("sig"),
    kid: TemplateString.optional().describe("Key ID; default: the RFC 7638 thumbprint."),
    alg: z.string().optional().describe("JWA algorithm, e.g. RS256 or ES256; default: from the key."),
    onCertificateChange: z
      .enum(["update", "disconnect"])
      .default("update")
      .describe("update: the JWK follows the certificate. disconnect: keep the old JWK, drop the link."),
    onCertificateDelete: z
      .enum(["delete", "disconnect"])
      .default("delete")
      .describe("delete: remove the JWK as well. disconnect: keep it, standalone."),
  })
  .meta({ id: "Jwk", description: "A JWK derived from a certificate, published by the gateway." });

export const RESOURCE_SCHEMAS = {
  certificates: CertificateResourceSchema,
  trustedCertificates: TrustedCertificateResourceSchema,
  endpoints: EndpointResourceSchema,
  trustAssignments: TrustAssignmentResourceSchema,
  jwks: JwkResourceSchema,
} as const;

export type CertificateResource = z.output<typeof CertificateResourceSchema>;
export type TrustedCertificateResource = z.output<typeof TrustedCertificateResourceSchema>;
export type EndpointResource = z.output<typeof EndpointResourceSchema>;
export type TrustAssignmentResource = z.output<typeof TrustAssignmentResourceSchema>;
export type JwkResource = z.output<typeof JwkResourceSchema>;
export type GenerateSpec = z.output<typeof GenerateSchema>;
export type AcmeSpec = z.output<typeof AcmeSchema>;
export type CsrSpec = z.output<typeof CsrSchema>;

/** The hosts a generated certificate covers: its own, or those its signing request asks for. */
export function generateHosts(g: GenerateSpec): string[] {
  return g.hosts ?? g.csr?.hosts ?? [];
}
