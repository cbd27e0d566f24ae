import { z } from "zod";
import { RESOURCE_KINDS } from "./names.js";
import { NodeProblemSchema } from "./expiry-report.js";

// `certform list --format json`: every object on every node of the stack's environments, owned or not, as
// read live (like `terraform state list`, or decK's dump, but from the gateways themselves).

export const ListedObjectSchema = z
  .object({
    environment: z.string(),
    kind: z.enum(RESOURCE_KINDS).describe("The stack's name for the kind of object."),
    name: z.string().describe("Its name on the gateway (a trusted certificate's alias)."),
    owner: z.string().nullable().describe("The stack that owns it (its certform.dev/stack label); null: foreign, certform never changes it."),
    address: z.string().nullable().describe("Its instance address in the owner stack; null for a foreign object."),
    fingerprint: z.string().nullable().describe("Certificates and trusted certificates: SHA-256 of the certificate (the leaf); JWKs: the kid; else null."),
    hosts: z.array(z.string()).describe("Server certificates: the hosts served; client trust: the hosts that ask for a certificate."),
    notAfter: z.string().nullable().describe("Certificates and trusted certificates: ISO 8601, UTC."),
    detail: z.string().describe("What it is, in a few words: 'https://billing:9443 at /billing', 'billing-ca for endpoint billing', 'generated'."),
    nodes: z.array(z.string()).describe("The nodes that hold this object as listed. An object that differs between nodes is listed once per version."),
    missingFrom: z.array(z.string()).describe("Nodes of the environment that were read and do not hold this version: drift."),
  })
  .meta({ id: "ListedObject" });
export type ListedObject = z.infer<typeof ListedObjectSchema>;

export const ListReportSchema = z
  .object({
    format_version: z.literal("1"),
    stack: z.string(),
    environments: z.array(z.object({ name: z.string(), nodes: z.array(z.object({ node: z.string(), revision: z.number().int().nullable() })) })),
    objects: z.array(ListedObjectSchema).describe("By environment, kind (certificates, trustedCertificates, endpoints, trustAssignments, jwks), then name."),
    problems: z.array(NodeProblemSchema),
  })
  .meta({ title: "certform list report", description: "certform list --format json." });
export type ListReport = z.infer<typeof ListReportSchema>;
