import { z } from "zod";

// `certform expiry --format json`: every certificate the gateways of the stack's environments hold, owned or
// not (a certificate nobody declared can still expire), most urgent first.

export const EXPIRY_STATUSES = ["Expired", "Critical", "Warning", "NotYetValid", "Active"] as const;
export type ExpiryStatus = (typeof EXPIRY_STATUSES)[number];

export const NodeProblemSchema = z
  .object({
    environment: z.string(),
    node: z.string().describe("The node's admin URL, as the stack's nodes: list it."),
    code: z.string().describe("Stable kebab-case identifier, e.g. unreachable, unauthorized, timeout."),
    message: z.string(),
    hint: z.string(),
  })
  .meta({ id: "NodeProblem", description: "A node that could not be read: its objects are missing from the report, and the command exits 1." });
export type NodeProblem = z.infer<typeof NodeProblemSchema>;

export const ExpiryCertificateSchema = z
  .object({
    environment: z.string(),
    node: z.string().describe("The admin URLs of the nodes that hold this certificate, comma-separated (see nodes)."),
    nodes: z.array(z.string()).describe("Every node of the environment that holds this same certificate under this name."),
    kind: z.enum(["certificates", "trustedCertificates"]).describe("A server certificate, or a truststore entry."),
    name: z.string().describe("The stack's name for it when a stack owns it, else its name (alias) on the gateway."),
    alias: z.string().nullable().describe("A trusted certificate's alias on the gateway; null for server certificates."),
    hosts: z.array(z.string()).describe("The hosts a server certificate is served for; empty for trusted certificates."),
    notBefore: z.string().nullable().describe("ISO 8601, UTC; null where the gateway does not say."),
    notAfter: z.string().describe("ISO 8601, UTC."),
    daysLeft: z.number().int().describe("floor((notAfter − now) / 86400 s); negative once expired."),
    status: z.enum(EXPIRY_STATUSES).describe("Expired; Critical inside alerts.criticalBefore; Warning inside alerts.warnBefore; NotYetValid before notBefore; else Active."),
    fingerprint256: z.string().nullable().describe("SHA-256 of the certificate (the leaf of a chain)."),
    owner: z.string().nullable().describe("The stack that owns it (its certform.dev/stack label); null for a foreign object."),
    address: z.string().nullable().describe("Its instance address in the owner stack, e.g. certificates.api[prod]; null for a foreign object."),
    generated: z.boolean().describe("Generated on the gateway (its key never left it)."),
  })
  .meta({ id: "ExpiryCertificate" });
export type ExpiryCertificate = z.infer<typeof ExpiryCertificateSchema>;

export const ExpiryReportSchema = z
  .object({
    format_version: z.literal("1"),
    stack: z.string(),
    generated_at: z.string().describe("The time daysLeft and status are computed at (ISO 8601, UTC)."),
    alerts: z.object({ warnBefore: z.string(), criticalBefore: z.string() }).describe("The stack's alert windows, which give the statuses."),
    within: z.string().describe("The window: --within, else alerts.warnBefore. The command exits 2 when a listed certificate is inside it."),
    filtered: z.boolean().describe("true with --within: only certificates inside the window are listed."),
    environments: z.array(z.object({ name: z.string(), nodes: z.array(z.string()) })),
    certificates: z.array(ExpiryCertificateSchema).describe("Most urgent first: by notAfter, then environment, kind and name."),
    inside: z.number().int().min(0).describe("How many listed certificates are inside the window."),
    problems: z.array(NodeProblemSchema),
  })
  .meta({ title: "certform expiry report", description: "certform expiry --format json, and the body certform expiry --notify posts (with a Slack-compatible text field)." });
export type ExpiryReport = z.infer<typeof ExpiryReportSchema>;
