import { z } from "zod";

export const VerifyProblemSchema = z
  .object({
    environment: z.string(),
    node: z.string().describe("The node's admin URL, as the stack's nodes: list it (several, comma-separated, when nodes disagree)."),
    address: z.string().describe("The declared object concerned, e.g. certificates.api[prod]; environments.NAME for a problem of a whole node."),
    host: z.string().optional().describe("The declared host a handshake was made for; absent for the default certificate's check."),
    code: z.string().describe("Stable kebab-case identifier, e.g. wrong-certificate, handshake-failed, nodes-differ, jwk-missing."),
    message: z.string(),
    expected: z.array(z.string()).optional().describe("wrong-certificate: the SHA-256 fingerprints of the leaf (or leaves) declared for the host."),
    served: z.string().optional().describe("wrong-certificate: the SHA-256 fingerprint of the leaf the node served."),
  })
  .meta({ id: "VerifyProblem" });
export type VerifyProblem = z.infer<typeof VerifyProblemSchema>;

/** `certform verify --format json`, and the `verification` of `apply --format json`. */
export const VerifyReportSchema = z
  .object({
    format_version: z.literal("1"),
    stack: z.string(),
    ok: z.boolean().describe("true when every node of every environment serves what the stack declares."),
    environments: z.array(
      z.object({
        name: z.string(),
        nodes: z.array(z.string()),
        checked: z.object({
          certificates: z.number().int().min(0),
          jwks: z.number().int().min(0),
          endpoints: z.number().int().min(0),
        }),
      }),
    ),
    problems: z.array(VerifyProblemSchema),
  })
  .meta({ title: "certform verify report" });
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
