import { z } from "zod";
import { DurationSchema } from "./duration.js";
import { NameSchema, RESOURCE_KINDS } from "./names.js";

/** Key types a keyTypes policy names: the algorithm and its size or curve. */
export const POLICY_KEY_TYPES = ["ec-p256", "ec-p384", "ec-p521", "rsa-2048", "rsa-3072", "rsa-4096", "rsa-8192", "ed25519", "ed448"] as const;

const ADDRESS_PATTERN = new RegExp(`^(${RESOURCE_KINDS.join("|")})\\.[A-Za-z0-9][A-Za-z0-9._-]{0,63}(\\[[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\])?$`);

export const PolicyExceptSchema = z
  .strictObject({
    address: z
      .string()
      .regex(ADDRESS_PATTERN, "an address such as certificates.legacy, or certificates.legacy[prod] for one environment")
      .describe("The resource the rule does not apply to: certificates.legacy, or certificates.legacy[prod] in one environment."),
    reason: z.string().min(1, "say why the exception is granted").describe("Why; shown in every plan while the exception is used."),
  })
  .meta({ id: "PolicyExcept" });

const common = {
  description: z.string().optional(),
  severity: z.enum(["error", "warning"]).default("error").describe("error: validate exits 1 and plan refuses; warning: reported only."),
  environments: z
    .array(NameSchema)
    .min(1, "list at least one environment, or leave `environments` out to mean all of them")
    .optional()
    .describe("The environments the rule applies in; default: all."),
  except: z.array(PolicyExceptSchema).optional().describe("Resources the rule does not apply to, each with its reason."),
};

const Names = (what: string) => z.array(z.string().min(1, "must not be empty")).min(1, `list at least one ${what}`);

export const KeyTypesPolicySchema = z
  .strictObject({
    rule: z.literal("keyTypes"),
    ...common,
    allow: z.array(z.enum(POLICY_KEY_TYPES)).min(1, "list at least one key type").optional().describe("The key types served certificates may have."),
    minRsaBits: z.number().int().min(1024).optional().describe("The smallest RSA modulus allowed, e.g. 3072."),
  })
  .meta({ id: "KeyTypesPolicy", description: "Served certificates (files and generated) use only these key types." });

export const MaxValidityPolicySchema = z
  .strictObject({ rule: z.literal("maxValidity"), ...common, max: DurationSchema.describe("The longest notBefore-to-notAfter span, e.g. 398d.") })
  .meta({ id: "MaxValidityPolicy", description: "No served certificate is valid for longer than max." });

export const MinDaysLeftPolicySchema = z
  .strictObject({ rule: z.literal("minDaysLeftAtDeploy"), ...common, days: z.number().int().min(1).describe("Days a certificate must still be valid when it is planned.") })
  .meta({ id: "MinDaysLeftAtDeployPolicy", description: "A certificate from a file has at least this many days left at validate and plan time." });

/** A rule whose one parameter is an `allow` list. */
const allowRule = <R extends string>(rule: R, id: string, items: string, allow: string, description: string) =>
  z.strictObject({ rule: z.literal(rule), ...common, allow: Names(items).describe(allow) }).meta({ id, description });

export const IssuersPolicySchema = allowRule(
  "issuers",
  "IssuersPolicy",
  "issuer",
  "Allowed issuing CAs: a subject (`CN=Example Root CA, O=Example` or just the CN) or a SHA-256 fingerprint; any CA of the chain may match.",
  "Served certificates chain to one of these CAs.",
);

export const HostsPolicySchema = allowRule(
  "hosts",
  "HostsPolicy",
  "host pattern",
  "Host patterns: an exact name, or `*.example.com` for any one label below example.com.",
  "Certificates serve only hosts matching these patterns.",
);

export const WildcardsPolicySchema = z
  .strictObject({ rule: z.literal("wildcards"), ...common, forbidden: z.boolean().default(true).describe("true: no wildcard host or SAN (`*.example.com`).") })
  .meta({ id: "WildcardsPolicy", description: "No certificate serves or carries a wildcard name." });

export const SignatureAlgorithmsPolicySchema = z
  .strictObject({
    rule: z.literal("signatureAlgorithms"),
    ...common,
    forbid: Names("algorithm").describe("Hashes or algorithms no certificate of the chain (but a root's own signature) may be signed with: sha1, md5, or a full name such as sha1WithRSAEncryption."),
  })
  .meta({ id: "SignatureAlgorithmsPolicy", description: "Chains are not signed with these algorithms." });

export const TrustPolicySchema = allowRule(
  "trust",
  "TrustPolicy",
  "CA",
  "The CAs endpoints may trust: trustedCertificates names or aliases, or SHA-256 fingerprints.",
  "Endpoints (and environment-wide trust) trust only these CAs.",
);

export const JwksPolicySchema = allowRule("jwks", "JwksPolicy", "alg", "Allowed JWA `alg` values, e.g. RS256, ES256.", "Published JWKs use only these algorithms.");

export const PolicySchema = z
  .discriminatedUnion("rule", [
    KeyTypesPolicySchema,
    MaxValidityPolicySchema,
    MinDaysLeftPolicySchema,
    IssuersPolicySchema,
    HostsPolicySchema,
    WildcardsPolicySchema,
    SignatureAlgorithmsPolicySchema,
    TrustPolicySchema,
    JwksPolicySchema,
  ])
  .meta({ id: "Policy", description: "A rule certificates and trust must follow; see docs/stack-format.md." });

export const PoliciesSchema = z.record(NameSchema, PolicySchema).describe("name -> rule: a team's certificate rules, checked at validate and plan.");

/** A file given with --policy: just a policies section, shared by several stacks. */
export const PolicyFileSchema = z.strictObject({ policies: PoliciesSchema }).meta({ title: "certform policy file" });

export type Policy = z.output<typeof PolicySchema>;
export type PolicyRule = Policy["rule"];
export type PolicyOf<R extends PolicyRule> = Extract<Policy, { rule: R }>;
export type PolicyExcept = z.output<typeof PolicyExceptSchema>;
