import type { DesiredState, EnvironmentState } from "../stack/index.js";
import { providerFor } from "./index.js";
import type { Provider } from "./provider.js";

// The one place a stack's environment becomes a provider: plan, apply, verify, export and force-unlock all
// build theirs here, from the expanded gateway settings and what instantiation recorded about them.

/** The provider of each environment, built from its gateway settings (tokens expanded, paths from the stack). */
export function providersFor(state: DesiredState): Map<string, Provider> {
  return new Map(state.environments.map((env) => [env.name, providerForEnvironment(env)]));
}

export function providerForEnvironment(env: EnvironmentState): Provider {
  const adminCas = env.management?.trustAnchors.map((x) => x.toString()).join("\n");
  return providerFor(env.spec.gateway, { baseDir: env.origin.baseDir, ...(env.tokenVariable ? { tokenVariable: env.tokenVariable } : {}), ...(adminCas ? { adminCas } : {}) });
}

/** Builds the providers of every environment, hands them to `use`, and closes them however `use` ends. */
export async function withProviders<T>(state: DesiredState, use: (providers: ReadonlyMap<string, Provider>) => Promise<T>): Promise<T> {
  const providers = providersFor(state);
  try {
    return await use(providers);
  } finally {
    for (const p of providers.values()) p.close?.();
  }
}
