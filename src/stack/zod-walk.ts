import type { z } from "zod";

// Reads zod's public `_zod.def` to find the schema that governs a path, for error messages only.
type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips optional/default/nullable/pipe wrappers. */
export function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if ((d.type === "optional" || d.type === "default" || d.type === "nullable" || d.type === "prefault") && d.innerType) cur = d.innerType;
    else if (d.type === "pipe" && d.in) cur = d.in;
    else return cur;
  }
}

export function unionOptions(s: z.ZodType): z.ZodType[] | undefined {
  const d = defOf(unwrap(s));
  return d.type === "union" ? d.options : undefined;
}

export function objectShape(s: z.ZodType): Record<string, z.ZodType> | undefined {
  const d = defOf(unwrap(s));
  return d.type === "object" ? d.shape : undefined;
}

export function isOptional(s: z.ZodType): boolean {
  const t = defOf(s).type;
  return t === "optional" || t === "default" || t === "prefault";
}

/** Keys a mapping at this schema may have (all options of a union together). */
export function allowedKeys(s: z.ZodType): string[] {
  const shape = objectShape(s);
  if (shape) return Object.keys(shape);
  return (unionOptions(s) ?? []).flatMap(allowedKeys);
}

/** The schema governing `path` below `root`, choosing union options by the keys present in `value`. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[], value: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  let v: unknown = value;
  for (const seg of path) {
    if (!s) return undefined;
    s = pickOption(unwrap(s), v);
    const d = defOf(s);
    if (d.type === "object") s = d.shape?.[String(seg)];
    else if (d.type === "record") s = d.valueType;
    else if (d.type === "array") s = d.element;
    else return undefined;
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[String(seg)] : undefined;
  }
  return s;
}

/** The option of a union that governs `v` (the schema itself when it is no union). */
export function pickOption(s: z.ZodType, v: unknown): z.ZodType {
  const options = unionOptions(s);
  if (!options) return s;
  const keys = v && typeof v === "object" ? Object.keys(v) : [];
  // The tag of a discriminated union: `type` (gateways) or `rule` (policies).
  const byTag = options.find((o) =>
    (["type", "rule"] as const).some((field) => {
      const t = objectShape(o)?.[field];
      const tag = v && typeof v === "object" ? (v as Record<string, unknown>)[field] : undefined;
      return t !== undefined && tag !== undefined && (defOf(t) as { values?: unknown[] }).values?.includes(tag);
    }),
  );
  if (byTag) return byTag;
  return options.find((o) => keys.some((k) => firstRequiredKey(o) === k)) ?? options[0]!;
}

/** The key that tells a union option apart, e.g. `file` in `{ file: PATH }`. */
export function firstRequiredKey(s: z.ZodType): string | undefined {
  const shape = objectShape(s);
  if (!shape) return undefined;
  return Object.entries(shape).find(([, v]) => !isOptional(v))?.[0];
}
