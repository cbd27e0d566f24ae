// Helpers that write certform's ${…} references, so that a TypeScript template literal (`${…}`) cannot
// swallow one by accident. certform expands them per environment, exactly as in YAML.

/** `${env:NAME}`, or `${env:NAME:-fallback}`: the process environment when certform runs. */
export function envRef(name: string, fallback?: string): string {
  return fallback === undefined ? `\${env:${name}}` : `\${env:${name}:-${fallback}}`;
}

/** `${var:NAME}`: a variable of the stack, for the environment being planned. */
export function varRef(name: string): string {
  return `\${var:${name}}`;
}

/** `${environment}`: the name of the environment being planned. */
export const ENVIRONMENT = "${environment}";
