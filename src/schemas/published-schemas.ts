import { z } from "zod";
import { StackFileSchema } from "../model/stack.js";
import { ValidateReportSchema } from "../model/validate-report.js";
import { InspectReportSchema } from "../model/inspect-report.js";
import { gatewayOpenApi } from "../gateway/api/openapi.js";
import { PlanSchema } from "../model/plan.js";
import { BundleManifestSchema } from "../model/bundle.js";
import { VerifyReportSchema } from "../model/verify-report.js";
import { ApplyReportSchema } from "../model/apply-report.js";
import { ExpiryReportSchema } from "../model/expiry-report.js";
import { ListReportSchema } from "../model/list-report.js";

// Here rather than in src/model: the list names the gateway's admin API as well, and the model knows no
// gateway. Read by `npm run schemas`, published-schemas.test.ts and `certform init`.

/** The JSON Schemas committed under schemas/, generated from the zod model (npm run schemas). */
export interface PublishedSchema {
  id: string;
  schema?: z.ZodType;
  /** Documents that are not one zod schema (the OpenAPI description) render themselves. */
  build?: () => Record<string, unknown>;
}

export const PUBLISHED_SCHEMAS: Record<string, PublishedSchema> = {
  "stack.schema.json": { schema: StackFileSchema, id: "https://certform.dev/schemas/stack.schema.json" },
  "inspect.schema.json": { schema: InspectReportSchema, id: "https://certform.dev/schemas/inspect.schema.json" },
  "validate.schema.json": { schema: ValidateReportSchema, id: "https://certform.dev/schemas/validate.schema.json" },
  "bundle.schema.json": { schema: BundleManifestSchema, id: "https://certform.dev/schemas/bundle.schema.json" },
  "plan.schema.json": { schema: PlanSchema, id: "https://certform.dev/schemas/plan.schema.json" },
  "verify.schema.json": { schema: VerifyReportSchema, id: "https://certform.dev/schemas/verify.schema.json" },
  "apply.schema.json": { schema: ApplyReportSchema, id: "https://certform.dev/schemas/apply.schema.json" },
  "expiry.schema.json": { schema: ExpiryReportSchema, id: "https://certform.dev/schemas/expiry.schema.json" },
  "list.schema.json": { schema: ListReportSchema, id: "https://certform.dev/schemas/list.schema.json" },
  "gateway-admin.openapi.json": { build: gatewayOpenApi, id: "https://certform.dev/schemas/gateway-admin.openapi.json" },
};

export function renderJsonSchema(entry: PublishedSchema): string {
  const json = entry.build ? entry.build() : z.toJSONSchema(entry.schema!, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify(entry.build ? json : { ...json, $id: entry.id }, null, 2)}\n`;
}
