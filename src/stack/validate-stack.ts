import { hasErrors, type Diagnostic } from "../model/index.js";
import type { PolicyFileValue } from "../model/plan.js";
import type { DesiredState } from "./desired-state.js";
import { instantiate } from "./instantiate.js";
import { checkInstances } from "./instance-checks.js";
import { loadStack } from "./load-stack.js";
import type { LoadedStack } from "./merge.js";
import { resolveMaterial, type ResolveOptions } from "./resolve-material.js";
import { checkStructure } from "./structure-checks.js";
import { checkPolicies } from "./policy/check-policies.js";
import { loadPolicies } from "./policy/load-policies.js";
import { withConstructPaths } from "./typescript/diagnostics.js";

export interface ReadStackOptions extends ResolveOptions {
  environments?: readonly string[];
  /** validate: an unset ${env:…} in a gateway's settings is left for plan to report. */
  requireGatewayEnv?: boolean;
  /** --policy: files holding a policies: section, checked with the stack's own. */
  policyFiles?: readonly string[];
  /** false: leave the policies unchecked, for commands that only read the gateway settings (haproxy config). */
  checkPolicies?: boolean;
}

export interface ReadStackResult {
  loaded?: LoadedStack;
  state?: DesiredState;
  /** The --policy files read, each with the SHA-256 of its content (a saved plan records them). */
  policyFiles?: PolicyFileValue[];
  diagnostics: Diagnostic[];
}

/** The whole front of the pipeline: load, check the structure, expand per environment, read and check material. */
export async function readStack(paths: readonly string[], opts: ReadStackOptions = {}): Promise<ReadStackResult> {
  const { loaded, diagnostics } = await loadStack(paths);
  if (!loaded || hasErrors(diagnostics)) return { diagnostics };
  diagnostics.push(...checkStructure(loaded));
  const policies = loadPolicies(loaded, opts.policyFiles ?? []);
  diagnostics.push(...policies.diagnostics);
  const unknownEnvs = (opts.environments ?? []).filter((e) => !(e in (loaded.stack.environments ?? {})));
  if (unknownEnvs.length) {
    const origin = loaded.origins.get("stack")!;
    diagnostics.push({ severity: "error", code: "unknown-environment", file: origin.src.file, line: 1, column: 1, message: `--env ${unknownEnvs.join(", ")}: no such environment in stack ${loaded.name}`, hint: `use one of: ${Object.keys(loaded.stack.environments ?? {}).join(", ")}` });
    return { loaded, diagnostics };
  }
  const { state, diagnostics: instanceDiagnostics } = instantiate(loaded, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.environments ? { environments: opts.environments } : {}),
    requireGatewayEnv: opts.requireGatewayEnv ?? true,
  });
  diagnostics.push(...instanceDiagnostics);
  for (const env of state.environments) diagnostics.push(...checkInstances(env));
  diagnostics.push(...(await resolveMaterial(state, opts)));
  const checked = opts.checkPolicies === false ? { diagnostics: [], exceptions: [] } : checkPolicies(loaded.stack, state, policies.policies, opts.now ?? new Date());
  diagnostics.push(...checked.diagnostics);
  if (checked.exceptions.length > 0) state.policyExceptions = checked.exceptions;
  return { loaded, state, policyFiles: policies.files, diagnostics: withConstructPaths(loaded, sortDiagnostics(dedupe(diagnostics))) };
}

// A declaration shared by several environments reports the same problem once per environment; once is enough
// when the place and the words are the same.
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message.replace(/\[[^\]]+\]/g, "")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
