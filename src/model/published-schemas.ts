import { z } from "zod";
import { StackFileSchema } from "./stack.js";
import { ValidateReportSchema } from "./validate-report.js";
import { InspectReportSchema } from "./inspect-report.js";

/** The JSON Schemas committed under schemas/, generated from the zod model (npm run schemas). */
export const PUBLISHED_SCHEMAS: Record<string, { schema: z.ZodType; id: string }> = {
  "stack.schema.json": { schema: StackFileSchema, id: "https://certform.dev/schemas/stack.schema.json" },
  "inspect.schema.json": { schema: InspectReportSchema, id: "https://certform.dev/schemas/inspect.schema.json" },
  "validate.schema.json": { schema: ValidateReportSchema, id: "https://certform.dev/schemas/validate.schema.json" },
};

export function renderJsonSchema(entry: { schema: z.ZodType; id: string }): string {
  const json = z.toJSONSchema(entry.schema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...json, $id: entry.id }, null, 2)}\n`;
}
