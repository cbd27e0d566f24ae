import { z } from "zod";
import { TemplateString } from "./names.js";
import { CertificateSourceSchema, KeySourceSchema } from "./sources.js";

const Nodes = z.array(TemplateString).describe("One entry per node of the cluster.");

export const EmbeddedGatewaySchema = z
  .strictObject({
    type: z.literal("embedded"),
    nodes: Nodes.describe("Admin URL (http:// or https://) of every node of the cluster."),
    token: TemplateString.optional().describe("Admin bearer token, normally ${env:VAR}."),
    caFile: TemplateString.optional().describe("CA certificate (PEM) that signs the nodes' HTTPS admin certificates."),
    timeout: z.string().regex(/^[1-9][0-9]*(ms|s)$/, "a timeout such as 10s or 500ms").default("10s"),
  })
  .meta({ title: "embedded" });

export const HaproxyGatewaySchema = z
  .strictObject({
    type: z.literal("haproxy"),
    nodes: Nodes.describe("Runtime API socket of every HAProxy process: unix:///path or tcp://host:port."),
    listen: TemplateString.describe("The frontend's bind address, host:port."),
    dir: TemplateString.describe("Where certform persists certificates, the crt-list and CA files."),
  })
  .meta({ title: "haproxy" });

export const GatewaySchema = z
  .discriminatedUnion("type", [EmbeddedGatewaySchema, HaproxyGatewaySchema])
  .describe("The gateway cluster of this environment.");

export const ManagementCertificateSchema = z
  .strictObject({
    certificate: CertificateSourceSchema.describe("Leaf first, then intermediates; it must cover the host of every node's admin URL."),
    chain: CertificateSourceSchema.optional().describe("Intermediates (and optionally the root) when they are kept apart from the leaf."),
    key: KeySourceSchema.optional().describe("The leaf's private key; not needed when the certificate source holds it (PKCS#12)."),
    caBundle: CertificateSourceSchema.optional().describe(
      "CA certificates certform trusts the admin API by, beside the chain's own root and the gateway's caFile; for a chain that ends at an intermediate.",
    ),
  })
  .meta({
    id: "ManagementCertificate",
    description:
      "The certificate every node's HTTPS admin API serves. apply swaps it live on every node, without a restart; certform then verifies the admin API by this certificate's chain (its root, caBundle, caFile), never by skipping verification.",
  });

export const EnvironmentSchema = z
  .strictObject({
    description: z.string().optional(),
    gateway: GatewaySchema,
    managementCertificate: ManagementCertificateSchema.optional(),
  })
  .meta({ id: "Environment", description: "One gateway cluster." });

export type Gateway = z.output<typeof GatewaySchema>;
export type ManagementCertificateSpec = z.output<typeof ManagementCertificateSchema>;
export type EnvironmentSpec = z.output<typeof EnvironmentSchema>;
