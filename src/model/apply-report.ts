import { z } from "zod";
import { PlannedOperation } from "./plan.js";
import { VerifyProblemSchema } from "./verify-report.js";

// `apply --format json` (and destroy's, and import --apply's): what apply did, or why it did nothing.
// src/apply builds the first from these types; src/render/apply-json.ts picks which one a run prints.

export const OperationOutcomeSchema = z
  .object({
    environment: z.string(),
    node: z.string().describe("The node's admin URL."),
    address: z.string(),
    op: PlannedOperation.shape.op,
    collection: PlannedOperation.shape.collection,
    name: z.string(),
    state: z.enum(["applied", "failed", "not-applied"]),
    error: z.string().optional().describe("failed: what the node answered."),
  })
  .meta({ id: "OperationOutcome" });
export type OperationOutcome = z.infer<typeof OperationOutcomeSchema>;
export type OperationState = OperationOutcome["state"];

/** What apply did: exactly which operations were applied, failed or not applied, and what verification found. */
export const ApplyResultSchema = z
  .object({
    ok: z.boolean().describe("true when every write was applied and verification found nothing."),
    stack: z.string(),
    summary: z.object({ created: z.number().int().min(0), updated: z.number().int().min(0), replaced: z.number().int().min(0), deleted: z.number().int().min(0) }),
    operations: z.array(OperationOutcomeSchema).describe("Every write to every node, in the order sent; empty when there was nothing to change."),
    verification: z.array(VerifyProblemSchema).describe("What the check over TLS after each environment found."),
    error: z.string().optional().describe("Set when apply stopped or verification failed: the first failure, in words."),
  })
  .meta({ id: "ApplyResult" });
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

/** One entry of `errors`: a stack diagnostic (with its place) or a problem found on a gateway (with its node). */
const ApplyErrorEntrySchema = z
  .object({
    severity: z.enum(["error", "warning"]).optional(),
    file: z.string().optional(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    address: z.string().optional(),
    node: z.string().optional(),
    code: z.string(),
    message: z.string(),
    hint: z.string(),
    related: z.array(z.object({ file: z.string(), line: z.number().int(), column: z.number().int() })).optional(),
  })
  .meta({ id: "ApplyErrorEntry" });

/** Apply wrote nothing: the stack or gateways could not be planned, the plan was stale or not approved, a lock was held. */
export const ApplyFailureSchema = z
  .object({
    ok: z.literal(false),
    error: z.object({
      code: z.string().describe("no-plan, stale-plan, declined, locked, apply-failed (import --apply: also import's own codes)."),
      message: z.string(),
      hint: z.string().optional(),
      holder: z.string().optional().describe("locked: who holds the lock."),
      since: z.string().optional().describe("locked: since when."),
    }),
    errors: z.array(ApplyErrorEntrySchema).optional().describe("no-plan: every diagnostic and problem found."),
  })
  .meta({ id: "ApplyFailure" });
export type ApplyFailure = z.infer<typeof ApplyFailureSchema>;

export const ApplyReportSchema = z
  .union([ApplyResultSchema, ApplyFailureSchema])
  .meta({ title: "certform apply report", description: "certform apply --format json and destroy --format json: an ApplyResult when apply ran (also when there was nothing to change), an ApplyFailure when it wrote nothing." });
export type ApplyReport = z.infer<typeof ApplyReportSchema>;

/** What apply tells its view while it runs: an environment begins, a write is done, an environment is verified. */
export type ApplyProgressEvent =
  | { type: "environment"; environment: string; total: number }
  | { type: "operation"; outcome: OperationOutcome; done: number; total: number }
  | { type: "verify"; environment: string; problems: number };
