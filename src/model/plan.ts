import { z } from "zod";

// The Plan: a serialisable value, computed without side effects, that apply executes as is. The JSON
// rendering is this value; text and markdown are drawn from it. It never holds key material: keys are
// referenced by address and fingerprint, and re-read (and checked) at apply.

export const ACTIONS = ["create", "update", "replace", "delete", "no-op"] as const;
export type Action = (typeof ACTIONS)[number];

export const CertificateSummary = z
  .object({
    fingerprint256: z.string(),
    subject: z.string(),
    issuer: z.string(),
    sans: z.array(z.string()),
    notBefore: z.string(),
    notAfter: z.string(),
    keyType: z.string().describe("e.g. EC P-256, RSA 2048"),
    keyFingerprint256: z.string().describe("SHA-256 of the public key: how a key appears in a plan"),
    chainLength: z.number().int(),
    generated: z.boolean().optional(),
  })
  .meta({ id: "CertificateSummary" });
export type CertificateSummaryValue = z.infer<typeof CertificateSummary>;

/** What one side of a change looks like: the certificate as a certificate, and the object's settings. */
export const ObjectSummary = z
  .object({
    object: z.object({ collection: z.string(), name: z.string() }).describe("The gateway object: collection and name (alias for trusted certificates)."),
    certificate: CertificateSummary.optional(),
    settings: z.record(z.string(), z.unknown()).describe("hosts, default, url, path, alias, endpoint, scope, kid, use … as compared"),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: "ObjectSummary" });
export type ObjectSummaryValue = z.infer<typeof ObjectSummary>;

export const Impact = z
  .object({
    hosts: z.array(z.string()),
    endpoints: z.array(z.string()).describe("addresses of endpoints whose trust this change touches"),
    jwks: z.array(z.string()).describe("addresses of JWKs derived from this certificate"),
  })
  .meta({ id: "Impact" });

export const ResourceChange = z
  .object({
    address: z.string().describe("The instance address, e.g. certificates.api[prod]."),
    environment: z.string(),
    kind: z.enum(["certificates", "trustedCertificates", "endpoints", "trustAssignments", "jwks"]),
    name: z.string(),
    action: z.enum(ACTIONS),
    reasons: z.array(z.string()).describe("Why, in words: 'certificate content changed', 'inside renewBefore (12 days left)', 'because certificates.api[prod] is replaced'."),
    before: ObjectSummary.nullable(),
    after: ObjectSummary.nullable(),
    nodes: z.array(z.string()).describe("The nodes this change writes to; all of the environment's unless they differ (drift)."),
    drift: z.array(z.object({ node: z.string(), detail: z.string() })).describe("Nodes that differ from the others for this object."),
    impact: Impact,
  })
  .meta({ id: "ResourceChange" });
export type ResourceChangeValue = z.infer<typeof ResourceChange>;

/** A write apply sends. Key material is never here: `keyRef` names whose key apply re-reads. */
export const PlannedOperation = z
  .object({
    address: z.string(),
    op: z.enum(["put", "delete"]),
    collection: z.enum(["certificates", "trusted", "endpoints", "trust", "jwks"]),
    name: z.string(),
    body: z.record(z.string(), z.unknown()).optional(),
    keyRef: z.object({ address: z.string(), field: z.enum(["key", "generate.issuer.key"]), keyFingerprint256: z.string() }).optional(),
    nodes: z.array(z.string()).describe("The nodes that receive it."),
    /** Operations of a lower step run first; one step's operations are independent of each other. */
    step: z.number().int(),
  })
  .meta({ id: "PlannedOperation" });
export type PlannedOperationValue = z.infer<typeof PlannedOperation>;

export const Warning = z.object({ address: z.string().nullable(), code: z.string(), message: z.string() }).meta({ id: "PlanWarning" });

export const PlanSchema = z
  .object({
    format_version: z.literal("1"),
    certform_version: z.string(),
    stack: z.string(),
    created_at: z.string(),
    options: z.object({ prune: z.boolean(), adopt: z.boolean(), environments: z.array(z.string()).nullable() }),
    summary: z.object({ create: z.number().int(), update: z.number().int(), replace: z.number().int(), delete: z.number().int(), "no-op": z.number().int() }),
    environments: z.array(
      z.object({
        name: z.string(),
        gateway: z.string().describe("provider kind"),
        nodes: z.array(z.object({ node: z.string(), revision: z.number().int() })),
        operations: z.array(PlannedOperation).describe("In order of steps; each names the nodes it goes to."),
      }),
    ),
    resource_changes: z.array(ResourceChange),
    warnings: z.array(Warning),
    sources: z.array(z.object({ address: z.string(), field: z.string(), fingerprint: z.string() })).describe("What apply re-reads and checks: a changed source makes the plan stale."),
    stack_paths: z.array(z.string()).describe("The stack files or directories the plan was made from."),
  })
  .meta({ title: "certform plan", description: "certform plan --format json, and plan files (plan --out)." });
export type Plan = z.infer<typeof PlanSchema>;
