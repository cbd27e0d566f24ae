import type { z } from "zod";
import { quoteValue, type Diagnostic } from "../model/index.js";
import { addressOfPath, formatPath, locate } from "./locate.js";
import type { PathSegment, YamlSource } from "./yaml-source.js";
import { allowedKeys, firstRequiredKey, objectShape, pickOption, schemaAt, unionOptions } from "./zod-walk.js";
import { closest } from "./suggest.js";

type Issue = z.core.$ZodIssue;

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, seg) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined), root);

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the text ${quoteValue(v, 40)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  boolean: "true or false",
  number: "a number",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

/** Turns zod's issues for one stack file into diagnostics with positions, addresses and fixes. */
export function schemaIssuesToDiagnostics(schema: z.ZodType, src: YamlSource, issues: readonly Issue[]): Diagnostic[] {
  return issues.flatMap((issue) => convert(schema, src, issue, []));
}

function convert(schema: z.ZodType, src: YamlSource, issue: Issue, base: PathSegment[]): Diagnostic[] {
  const path = [...base, ...(issue.path as PathSegment[])];
  const where = formatPath(path) || "the stack";
  const input = valueAt(src.value, path);
  const make = (code: string, message: string, hint: string, at: "key" | "value" = "value", p = path): Diagnostic => {
    const d: Diagnostic = { severity: "error", code, ...locate(src, p, at), message, hint };
    const address = addressOfPath(p);
    if (address) d.address = address;
    return d;
  };

  switch (issue.code) {
    case "unrecognized_keys": {
      const here = schemaAt(schema, path, src.value);
      const allowed = [...new Set(allowedKeys(here ? pickOption(here, input) : schema))];
      return issue.keys.map((key) => {
        // A key of another form of a union (alias: belongs to file:, not to pkcs12:) is no typo: say whose it is.
        const owners = here && !allowed.includes(key) ? (unionOptions(here) ?? []).filter((o) => key in (objectShape(o) ?? {})).map(firstRequiredKey) : [];
        const guess = closest(key, allowed);
        const hint = owners.length
          ? `${key} goes with ${owners.map((o) => `{ ${o}: … }`).join(" or ")}; remove it from this source`
          : guess
            ? `did you mean "${guess}"?`
            : `remove it; allowed here: ${allowed.join(", ")}`;
        return make("unknown-key", `unknown key ${quoteValue(key)} in ${where}`, hint, "key", [...path, key]);
      });
    }
    case "invalid_type": {
      if (input === undefined) {
        const key = String(path[path.length - 1]);
        return [make("missing-key", `${formatPath(path.slice(0, -1)) || "the stack"} needs "${key}"`, `add ${key}: …`, "key", path.slice(0, -1))];
      }
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return [make("wrong-type", `${where} must be ${expected}, not ${describeValue(input)}`, `write ${where} as ${expected}`)];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      if (input === undefined) {
        return [make("missing-key", `${formatPath(path.slice(0, -1)) || "the stack"} needs "${String(path[path.length - 1])}"`, `add ${String(path[path.length - 1])}: ${values[0]}`, "key", path.slice(0, -1))];
      }
      const guess = typeof input === "string" ? closest(input, values) : undefined;
      return [make("invalid-value", `${where} is ${describeValue(input)}; it must be one of ${values.join(", ")}`, guess ? `did you mean "${guess}"?` : `use one of ${values.join(", ")}`)];
    }
    case "invalid_union":
      return convertUnion(schema, src, issue, path, input, make);
    case "invalid_key": {
      const key = String(path[path.length - 1]);
      const reason = issue.issues[0]?.message ?? "not a valid name";
      return [make("invalid-name", `${quoteValue(key)} in ${formatPath(path.slice(0, -1))} is not a valid name: ${reason}`, "rename it", "key")];
    }
    case "too_small":
      return [make("too-small", `${where}: ${issue.message}`, "add the missing entries or remove the key")];
    case "invalid_format":
      return [make("invalid-format", `${where} is ${describeValue(input)}: ${issue.message}`, "correct the value")];
    default:
      return [make("invalid", `${where}: ${issue.message}`, "correct the value")];
  }
}

function convertUnion(
  schema: z.ZodType,
  src: YamlSource,
  issue: z.core.$ZodIssueInvalidUnion,
  path: PathSegment[],
  input: unknown,
  make: (code: string, message: string, hint: string, at?: "key" | "value", p?: PathSegment[]) => Diagnostic,
): Diagnostic[] {
  const where = formatPath(path);
  const unionSchema = schemaAt(schema, path, src.value);
  const options = unionSchema ? (unionOptions(unionSchema) ?? []) : [];
  const keys = options.map(firstRequiredKey).filter((k): k is string => k !== undefined);

  if (issue.errors.length === 0) {
    // A discriminated union whose tag is wrong.
    const values = (issue as { options?: unknown[] }).options?.map(String) ?? [];
    return [make("invalid-value", `${where} is ${describeValue(input)}; it must be one of ${values.join(", ")}`, `use one of ${values.join(", ")}`)];
  }
  if (input === undefined) {
    return [make("missing-key", `${formatPath(path.slice(0, -1)) || "the stack"} needs "${String(path[path.length - 1])}"`, `add ${String(path[path.length - 1])}: { ${keys[0] ?? "…"}: … }`, "key", path.slice(0, -1))];
  }
  const isMapping = input !== null && typeof input === "object" && !Array.isArray(input);
  if (isMapping && path[path.length - 1] === "key" && "pem" in input) {
    return [make("key-inline", `${where}: a private key is never written inline in a stack`, "put it in a file ({ file: PATH }) or an environment variable ({ env: VAR })", "key", [...path, "pem"])];
  }
  if (isMapping && keys.length === options.length) {
    const present = keys.filter((k) => k in input);
    if (present.length === 0) {
      const typos = Object.keys(input).flatMap((k) => {
        const guess = closest(k, keys);
        return guess ? [make("unknown-key", `unknown key ${quoteValue(k)} in ${where}`, `did you mean "${guess}"?`, "key", [...path, k])] : [];
      });
      if (typos.length) return typos;
      // Keys that resemble none of the source kinds (`path:`): name them, not "exactly one of".
      const strangers = Object.keys(input).map((k) => make("unknown-key", `unknown key ${quoteValue(k)} in ${where}: a source is one of ${keys.join(", ")}`, `write { ${keys[0]}: … } or another of ${keys.slice(1).join(", ")}`, "key", [...path, k]));
      if (strangers.length) return strangers;
    }
    if (present.length !== 1) {
      const found = present.length ? `; it has ${present.join(" and ")}` : "";
      return [make("source-ambiguous", `${where} needs exactly one of ${keys.join(", ")}${found}`, present.length ? `keep one of ${present.join(", ")}` : `add one of ${keys.join(", ")}`)];
    }
    const chosen = keys.indexOf(present[0]!);
    return (issue.errors[chosen] ?? []).flatMap((e) => convert(schema, src, e as Issue, path));
  }
  // Not a mapping, or a union of different shapes (text or mapping): report the closest option.
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
  const typeOnly = best.length === 1 && best[0]!.code === "invalid_type" && best[0]!.path.length === 0;
  if (typeOnly || !isMapping) {
    const shapes = keys.length ? keys.map((k) => `{ ${k}: … }`).join(" or ") : "a supported form";
    return [make("wrong-type", `${where} is ${describeValue(input)}; it must be ${shapes}`, `write ${where} as ${keys.length ? `{ ${keys[0]}: … }` : "documented in docs/stack-format.md"}`)];
  }
  return best.flatMap((e) => convert(schema, src, e as Issue, path));
}
