import type { z } from "zod";
import type { ApiErrorBody } from "../api/admin-api.js";
import { looksLikeKeyMaterial, quoteValue } from "../../model/redact.js";

export type ErrorBody = ApiErrorBody["error"];

/** A refused change: the HTTP status and the JSON error the admin API answers with. */
export interface Failure {
  status: number;
  error: ErrorBody;
}

export function fail(status: number, code: string, message: string, extra: Omit<Partial<ErrorBody>, "code" | "message"> = {}): Failure {
  return { status, error: { code, message, ...extra } };
}

/** Failures and states travel through the same return values; a state always has `format`. */
export function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && "status" in value && "error" in value && !("format" in value);
}

/** ["generate", "hosts", 0] → "generate.hosts[0]". */
export function formatField(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

// zod's "Invalid input" for a union says nothing of what would be accepted.
const UNION_FORMS: Record<string, string> = { source: ": { certificate: NAME } or { trusted: ALIAS }" };

/**
 * The first zod issue as a 422. zod's own messages name types and limits, never the value; an
 * unknown key is user input, so it is quoted through quoteValue.
 */
export function schemaFailure(error: z.ZodError): Failure {
  const issue = error.issues[0];
  if (!issue) return fail(422, "invalid", "the body does not match the schema");
  let path: PropertyKey[] = [...issue.path];
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    path = [...path, key];
    message = `unknown field ${quoteValue(key)}`;
  }
  if (issue.code === "invalid_union") {
    const last = String(path[path.length - 1]);
    message = `matches none of the accepted forms${Object.hasOwn(UNION_FORMS, last) ? UNION_FORMS[last] : ""}`;
  }
  // Belt and braces: a message that could carry key material is never sent.
  if (looksLikeKeyMaterial(message)) message = "the value is not valid here";
  const field = formatField(path);
  return fail(422, "invalid", field ? `${field}: ${message}` : message, field ? { field } : {});
}
