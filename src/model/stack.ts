import { z } from "zod";
import { NameSchema } from "./names.js";
import { DurationSchema } from "./duration.js";
import { EnvironmentSchema } from "./environment.js";
import { RESOURCE_SCHEMAS } from "./resources.js";
import { PoliciesSchema } from "./policies.js";

export const VariableSchema = z.union([
  z.string().describe("The value in every environment."),
  z.strictObject({
    description: z.string().optional(),
    default: z.string().optional().describe("The value where no environment-specific one is given."),
    environments: z.record(NameSchema, z.string()).optional().describe("environment name -> value"),
  }),
]);

export const AlertsSchema = z
  .strictObject({
    warnBefore: DurationSchema.default("30d").describe("Warn when a certificate expires within this window."),
    criticalBefore: DurationSchema.default("7d").describe("Critical when a certificate expires within this window."),
  })
  .describe("Expiry alert windows.");

const resources = <T extends z.ZodType>(schema: T) => z.record(NameSchema, schema).optional();

/**
 * One stack file. A stack directory merges several of these; each carries the same apiVersion, kind and name.
 */
export const StackFileSchema = z
  .strictObject({
    apiVersion: z.literal("certform/v1"),
    kind: z.literal("Stack"),
    name: NameSchema.describe("The stack's name; certform only ever changes gateway objects owned by this stack."),
    description: z.string().optional(),
    variables: z.record(NameSchema, VariableSchema).optional().describe("Values that may differ per environment: ${var:NAME}."),
    environments: z.record(NameSchema, EnvironmentSchema).optional().describe("name -> environment; one gateway cluster each."),
    certificates: resources(RESOURCE_SCHEMAS.certificates).describe("TLS server certificates the gateway serves."),
    trustedCertificates: resources(RESOURCE_SCHEMAS.trustedCertificates).describe("Truststore entries."),
    endpoints: resources(RESOURCE_SCHEMAS.endpoints).describe("Backends the gateway proxies to."),
    trustAssignments: resources(RESOURCE_SCHEMAS.trustAssignments).describe("Who trusts what."),
    jwks: resources(RESOURCE_SCHEMAS.jwks).describe("JWKs derived from certificates."),
    alerts: AlertsSchema.optional(),
    policies: PoliciesSchema.optional(),
  })
  .meta({
    title: "certform stack",
    description: "Certificates and trust for API gateways, as code. See docs/stack-format.md.",
  });

export type StackFile = z.output<typeof StackFileSchema>;
export type Variable = z.output<typeof VariableSchema>;
export type Alerts = z.output<typeof AlertsSchema>;
