import { z } from "zod";

/** The resource kinds of a stack, as they appear at its top level and in addresses. */
export const RESOURCE_KINDS = [
  "certificates",
  "trustedCertificates",
  "endpoints",
  "trustAssignments",
  "jwks",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

// Names become gateway object names and address parts, so they stay printable and path-safe.
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const NameSchema = z
  .string()
  .regex(NAME_PATTERN, "a name is 1 to 64 characters of A-Z a-z 0-9 . _ - and starts with a letter or digit")
  .meta({ id: "Name", description: "A name: 1 to 64 characters of [A-Za-z0-9._-], starting with a letter or digit." });

/**
 * The gateway object that holds an environment's managementCertificate: a certificate its admin API serves
 * rather than its data plane. The leading underscore is outside NAME_PATTERN, so no declared name can take it.
 */
export const MANAGEMENT_OBJECT = "_management";

/** An alias as WSO2 and Apinizer truststores accept it. */
export const ALIAS_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

// A string that is checked again after interpolation; before it, ${…} may stand for anything.
export const TemplateString = z.string().min(1, "must not be empty").meta({ id: "Text", description: "Text; may use ${env:NAME}, ${env:NAME:-default}, ${var:NAME} and ${environment}." });
