import { MANAGEMENT_OBJECT, RESOURCE_KINDS, type Diagnostic, type ResourceKind, type StackFile } from "../model/index.js";
import { AlertsSchema, generateHosts } from "../model/index.js";
import type { AnyInstance, DesiredState, EnvironmentState, ManagementInstance } from "./desired-state.js";
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
        const unresolved = new Set<string>();
        const spec = interpolateDeep(raw, ctx, (field, p) => {
          diagnostics.push(diagnose(origin, address, { ...p, field }));
          unresolved.add(String(field[0]));
        });
        const instance = { address, kind, name, environment: envName, spec, origin } as AnyInstance;
        if (unresolved.size > 0) instance.unresolved = [...unresolved];
        if (instance.kind === "certificates") instance.hosts = instance.spec.hosts ?? (instance.spec.generate ? generateHosts(instance.spec.generate) : []);
        if (instance.kind === "trustedCertificates") instance.alias = instance.spec.alias ?? name;
        if (instance.kind === "endpoints") instance.path = instance.spec.path ?? `/${name}`;
        (env[kind] as AnyInstance[]).push(instance);
      }
    }
    const management = managementInstance(env);
    if (management) {
      env.management = management.instance;
      diagnostics.push(...management.diagnostics);
    }
    diagnostics.push(...checkReferences(env, stack));
    environments.push(env);
  }
  const alerts = stack.alerts ?? AlertsSchema.parse({});
  return { state: { stack: stack.name, alerts, environments }, diagnostics };
}

/**
 * The environment's managementCertificate as a certificate instance served for the hosts of the nodes' admin
 * URLs. Only an embedded node's admin API speaks HTTPS with a certificate it can swap; an admin URL over plain
 * HTTP would never present it.
 */
function managementInstance(env: EnvironmentState): { instance: ManagementInstance; diagnostics: Diagnostic[] } | undefined {
  const spec = env.spec.managementCertificate;
  if (!spec) return undefined;
  const address = `environments.${env.name}.managementCertificate`;
  const origin = { ...env.origin, path: [...env.origin.path, "managementCertificate"] };
  const diagnostics: Diagnostic[] = [];
  const gateway = env.spec.gateway;
  const hosts: string[] = [];
  if (gateway.type !== "embedded") {
    diagnostics.push(diagnose(env.origin, address, { code: "management-unsupported", message: `a ${gateway.type} gateway has no HTTPS admin API whose certificate certform could set`, hint: "remove managementCertificate from this environment; it is for embedded gateways", field: ["managementCertificate"] }));
  } else {
    gateway.nodes.forEach((node, i) => {
      let url: URL | undefined;
      try {
        url = new URL(node);
      } catch {
        return; // reported as an invalid node URL by the gateway checks
      }
      if (url.protocol !== "https:") {
        diagnostics.push(diagnose(env.origin, address, { code: "management-needs-https", message: `node ${node} serves its admin API over plain HTTP, so it would never present the managementCertificate`, hint: "start the node with --admin-cert and --admin-key (any certificate to begin with) and write its URL as https://", field: ["gateway", "nodes", i] }));
      }
      const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
      if (!hosts.includes(host)) hosts.push(host);
    });
  }
  const { caBundle, ...sources } = spec;
  const resource = { ...sources, hosts, default: false, protect: false };
  const instance: ManagementInstance = { address, kind: "certificates", name: MANAGEMENT_OBJECT, environment: env.name, spec: resource, origin, hosts, management: true, trustAnchors: [], ...(caBundle ? { caBundle } : {}) };
  return { instance, diagnostics };
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
