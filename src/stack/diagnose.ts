import type { Diagnostic } from "../model/index.js";
import { locate } from "./locate.js";
import type { Origin } from "./merge.js";
import type { PathSegment } from "./yaml-source.js";

export interface Problem {
  severity?: "error" | "warning";
  code: string;
  message: string;
  hint: string;
  /** Relative to the declaration; empty: the declaration's name. */
  field?: readonly PathSegment[];
  /** Point at the key (`hosts:`) rather than its value. */
  at?: "key" | "value";
}

/** A diagnostic about a declaration, pointing at the most specific place of `field` that exists in the file. */
export function diagnose(origin: Origin, address: string | undefined, p: Problem): Diagnostic {
  const field = p.field ?? [];
  const at = p.at ?? (field.length === 0 ? "key" : "value");
  const d: Diagnostic = {
    severity: p.severity ?? "error",
    code: p.code,
    ...locate(origin.src, [...origin.path, ...field], at),
    message: address ? `${address}: ${p.message}` : p.message,
    hint: p.hint,
  };
  if (address) d.address = address;
  return d;
}
