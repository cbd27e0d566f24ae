import type { Variable } from "../model/index.js";

export interface InterpolationContext {
  environment: string;
  variables: Record<string, Variable>;
  env: NodeJS.ProcessEnv;
  /** When false, an unset ${env:…} stays as written instead of being an error (validate does not need gateway secrets). */
  requireEnv: boolean;
  insideVariable?: boolean;
}

export interface InterpolationProblem {
  code: "interpolation-invalid" | "env-unset" | "variable-unknown" | "variable-unset";
  message: string;
  hint: string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

/** Expands ${env:NAME}, ${env:NAME:-default}, ${var:NAME} and ${environment} in one string; `$${` is a literal `${`. */
export function interpolateString(text: string, ctx: InterpolationContext): { value: string; problems: InterpolationProblem[]; usedEnv: boolean } {
  const problems: InterpolationProblem[] = [];
  let usedEnv = false;
  const value = text.replace(REFERENCE, (whole, inner: string | undefined) => {
    if (inner === undefined) return "${";
    if (inner === "environment") return ctx.environment;
    const env = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(inner);
    if (env) {
      usedEnv = true;
      const v = Object.hasOwn(ctx.env, env[1]!) ? ctx.env[env[1]!] : undefined;
      if (v !== undefined && v !== "") return v;
      if (env[2] !== undefined) return env[2];
      if (!ctx.requireEnv) return whole;
      problems.push({
        code: "env-unset",
        message: `environment variable ${env[1]} is not set`,
        hint: `set ${env[1]}, or give a default: \${env:${env[1]}:-value}`,
      });
      return whole;
    }
    const v = /^var:([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(inner);
    if (v) {
      // Inside a variable's own value, ${var:…} is reported once at the variable (structure checks).
      if (ctx.insideVariable) return whole;
      const variable = Object.hasOwn(ctx.variables, v[1]!) ? ctx.variables[v[1]!] : undefined;
      if (variable === undefined) {
        problems.push({ code: "variable-unknown", message: `variable "${v[1]}" is not declared`, hint: `declare it under variables:, or fix the name` });
        return whole;
      }
      const resolved = variableValue(variable, ctx.environment);
      if (resolved === undefined) {
        problems.push({
          code: "variable-unset",
          message: `variable "${v[1]}" has no value for environment ${ctx.environment}`,
          hint: `give variables.${v[1]} a default or a value under environments.${ctx.environment}`,
        });
        return whole;
      }
      // A variable's value may use ${env:…} and ${environment}, not other variables, so there are no cycles.
      const nested = interpolateString(resolved, { ...ctx, insideVariable: true });
      problems.push(...nested.problems);
      usedEnv ||= nested.usedEnv;
      return nested.value;
    }
    problems.push({
      code: "interpolation-invalid",
      message: `"${whole}" is not a reference certform knows`,
      hint: "write ${env:NAME}, ${env:NAME:-default}, ${var:NAME} or ${environment}; $${ is a literal ${",
    });
    return whole;
  });
  // "${env:X" with no closing brace would otherwise pass through as text.
  if (/\$\{[^}]*$/.test(text.replace(/\$\$\{/g, ""))) {
    problems.push({ code: "interpolation-invalid", message: "a ${ is not closed by }", hint: "close the reference: ${env:NAME}; write $${ for a literal ${" });
  }
  return { value, problems, usedEnv };
}

export function variableValue(variable: Variable, environment: string): string | undefined {
  if (typeof variable === "string") return variable;
  return variable.environments?.[environment] ?? variable.default;
}

/** Walks a plain value and interpolates every string, reporting problems with their paths. */
export function interpolateDeep<T>(
  value: T,
  ctx: InterpolationContext,
  report: (path: (string | number)[], problem: InterpolationProblem) => void,
  path: (string | number)[] = [],
): T {
  if (typeof value === "string") {
    const r = interpolateString(value, ctx);
    for (const p of r.problems) report(path, p);
    return r.value as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateDeep(v, ctx, report, [...path, i])) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, ctx, report, [...path, k])])) as T;
  }
  return value;
}
