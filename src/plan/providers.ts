import { providerFor } from "../providers/index.js";
import type { Provider } from "../providers/provider.js";
import type { DesiredState, EnvironmentState } from "../stack/index.js";

/** The provider of each environment, built from its gateway settings (tokens expanded, paths from the stack). */
export function providersFor(state: DesiredState): Map<string, Provider> {
  return new Map(state.environments.map((env) => [env.name, providerForEnvironment(env)]));
}

export function providerForEnvironment(env: EnvironmentState): Provider {
  const raw = env.origin.src.value as { environments?: Record<string, { gateway?: { token?: string } }> };
  const tokenVariable = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)/.exec(String(raw.environments?.[env.name]?.gateway?.token ?? ""))?.[1];
  return providerFor(env.spec.gateway, { baseDir: env.origin.baseDir, ...(tokenVariable ? { tokenVariable } : {}) });
}
