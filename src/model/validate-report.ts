import { z } from "zod";
import { PolicyException } from "./plan.js";

const DiagnosticSchema = z
  .object({
    file: z.string(),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
    address: z.string().nullable().describe("The resource address, e.g. certificates.api[prod]; null for a problem of a whole file."),
    code: z.string().describe("Stable kebab-case identifier, e.g. key-mismatch."),
    message: z.string(),
    hint: z.string().describe("What to do about it."),
    related: z.array(z.object({ file: z.string(), line: z.number(), column: z.number() })).optional(),
  })
  .meta({ id: "Diagnostic" });

/** `certform validate --format json`. */
export const ValidateReportSchema = z
  .object({
    format_version: z.literal("1"),
    valid: z.boolean(),
    stack: z.string().optional(),
    environments: z.array(z.string()).optional(),
    errors: z.array(DiagnosticSchema),
    warnings: z.array(DiagnosticSchema),
    policy_exceptions: z.array(PolicyException).optional().describe("Policy findings let pass by an except entry, with its reason; absent when there are none."),
  })
  .meta({ title: "certform validate report" });
export type ValidateReport = z.infer<typeof ValidateReportSchema>;
