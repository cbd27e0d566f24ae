import { RESOURCE_KINDS, type Diagnostic, type ResourceKind, type StackFile } from "../model/index.js";
import { AlertsSchema } from "../model/index.js";
import type { AnyInstance, DesiredState, EnvironmentState } from "./desired-state.js";
import { diagnose } from "./diagnose.js";
import { interpolateDeep, type InterpolationContext } from "./interpolate.js";
import type { LoadedStack } from "./merge.js";

export interface InstantiateOptions {
  env?: NodeJS.ProcessEnv;
  /** Limit to these environments (--env). */
  environments?: readonly string[];
  /** Whether an unset ${env:…} in a gateway's settings is an error (plan, apply) or left as written (validate). */
  requireGatewayEnv?: boolean;
}

/** Expands every declaration for every environment it exists in, in the order the stack declares environments. */
export function instantiate(loaded: LoadedStack, opts: InstantiateOptions = {}): { state: DesiredState; diagnostics: Diagnostic[] } {
  const { stack, origins } = loaded;
  const diagnostics: Diagnostic[] = [];
  const environments: EnvironmentState[] = [];
  const selected = Object.keys(stack.environments ?? {}).filter((e) => !opts.environments || opts.environments.includes(e));

  for (const envName of selected) {
    const ctx: InterpolationContext = { environment: envName, variables: stack.variables ?? {}, env: opts.env ?? process.env, requireEnv: true };
    const envOrigin = origins.get(`environments.${envName}`)!;
    const spec = interpolateDeep(stack.environments![envName]!, { ...ctx, requireEnv: opts.requireGatewayEnv ?? true }, (field, p) =>
      diagnostics.push(diagnose(envOrigin, `environments.${envName}`, { ...p, field })),
    );
    const env: EnvironmentState = { name: envName, spec, origin: envOrigin, certificates: [], trustedCertificates: [], endpoints: [], trustAssignments: [], jwks: [] };
    const gateway = stack.environments![envName]!.gateway;
    const tokenVariable = tokenVariableOf(gateway && "token" in gateway ? gateway.token : undefined);
    if (tokenVariable) env.tokenVariable = tokenVariable;

    for (const kind of RESOURCE_KINDS) {
      for (const [name, raw] of Object.entries((stack[kind] ?? {}) as Record<string, { environments?: string[] }>)) {
        if (raw.environments && !raw.environments.includes(envName)) continue;
        const address = `${kind}.${name}[${envName}]`;
        const origin = origins.get(`${kind}.${name}`)!;
        const spec = interpolateDeep(raw, ctx, (field, p) => diagnostics.push(diagnose(origin, address, { ...p, field })));
        const instance = { address, kind, name, environment: envName, spec, origin } as AnyInstance;
        if (instance.kind === "certificates") instance.hosts = instance.spec.hosts ?? instance.spec.generate?.hosts ?? [];
        if (instance.kind === "trustedCertificates") instance.alias = instance.spec.alias ?? name;
        if (instance.kind === "endpoints") instance.path = instance.spec.path ?? `/${name}`;
        (env[kind] as AnyInstance[]).push(instance);
      }
    }
    diagnostics.push(...checkReferences(env, stack));
    environments.push(env);
  }
  const alerts = stack.alerts ?? AlertsSchema.parse({});
  return { state: { stack: stack.name, alerts, environments }, diagnostics };
}

/** The variable a gateway token is read from, as written before expansion: `${env:VAR}` or `${env:VAR:-default}`. */
function tokenVariableOf(token: string | undefined): string | undefined {
  return /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)/.exec(token ?? "")?.[1];
}

/** A reference from an instance to a resource that does not exist in the same environment is an error at that reference. */
function checkReferences(env: EnvironmentState, stack: StackFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = (kind: ResourceKind) => new Set(env[kind].map((i) => i.name));
  const missing = (inst: AnyInstance, field: string, target: string, kinds: ResourceKind[]) => {
    const declaredElsewhere = kinds.find((k) => stack[k]?.[target] !== undefined);
    const wrongKind = (["certificates", "trustedCertificates", "endpoints"] as const).find((k) => !kinds.includes(k) && stack[k]?.[target] !== undefined);
    const message = declaredElsewhere
      ? `${field} "${target}" exists, but not in environment ${env.name}`
      : `${field} "${target}" is not declared in ${kinds.join(" or ")}`;
    const hint = declaredElsewhere
      ? `add ${env.name} to ${declaredElsewhere}.${target}.environments, or limit ${inst.kind}.${inst.name} to the environments it exists in`
      : wrongKind
        ? `"${target}" is one of ${wrongKind}; ${inst.kind} take ${kinds.join(" or ")}`
        : `declare ${kinds[0]}.${target}, or fix the name`;
    out.push(diagnose(inst.origin, inst.address, { code: "reference-missing", message, hint, field: [field] }));
  };

  const trusted = names("trustedCertificates");
  const endpoints = names("endpoints");
  const certificates = names("certificates");
  for (const t of env.trustAssignments) {
    if (!trusted.has(t.spec.certificate)) missing(t, "certificate", t.spec.certificate, ["trustedCertificates"]);
    if (t.spec.endpoint !== undefined && !endpoints.has(t.spec.endpoint)) missing(t, "endpoint", t.spec.endpoint, ["endpoints"]);
  }
  for (const j of env.jwks) {
    if (!certificates.has(j.spec.certificate) && !trusted.has(j.spec.certificate)) missing(j, "certificate", j.spec.certificate, ["certificates", "trustedCertificates"]);
  }
  return out;
}
