import { RESOURCE_KINDS, type Diagnostic, type StackFile } from "../model/index.js";
import { diagnose } from "./diagnose.js";
import type { LoadedStack } from "./merge.js";
import { namesKeystoreEntry } from "./read-sources.js";
import { closest } from "./suggest.js";

type Declared = { environments?: string[] };

/** Rules between fields of one declaration that a schema cannot say well, checked before interpolation. */
export function checkStructure(loaded: LoadedStack): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { stack, origins } = loaded;
  const envNames = Object.keys(stack.environments ?? {});

  if (envNames.length === 0) {
    out.push(diagnose(origins.get("stack")!, undefined, {
      code: "no-environments",
      message: `stack "${stack.name}" declares no environments`,
      hint: "add environments: { dev: { gateway: { type: embedded, nodes: [\"http://127.0.0.1:8081\"] } } }",
      field: ["name"],
    }));
  }

  for (const [name, env] of Object.entries(stack.environments ?? {})) {
    const origin = origins.get(`environments.${name}`)!;
    const address = `environments.${name}`;
    if (env.gateway.nodes.length === 0) {
      out.push(diagnose(origin, address, {
        code: "gateway-no-nodes",
        message: "the gateway lists no nodes",
        hint: env.gateway.type === "embedded"
          ? "list the admin URL of every node, e.g. nodes: [\"http://127.0.0.1:8081\"]"
          : "list the runtime API socket of every HAProxy process, e.g. nodes: [\"unix:///run/haproxy/admin.sock\"]",
        field: ["gateway", "nodes"],
        at: "key",
      }));
    }
    if (env.gateway.type === "embedded" && env.gateway.token !== undefined && !env.gateway.token.includes("${env:")) {
      out.push(diagnose(origin, address, { severity: "warning", code: "token-literal", message: "the admin token is written in the stack", hint: "read it from the environment: token: ${env:VAR}", field: ["gateway", "token"] }));
    }
    const pattern = env.gateway.type === "embedded" ? /^https?:\/\/[^/\s]+\/?$/ : /^(unix:\/\/\/\S+|tcp:\/\/[^/\s]+:\d+)$/;
    env.gateway.nodes.forEach((node, i) => {
      if (node.includes("${") || pattern.test(node)) return;
      out.push(diagnose(origin, address, {
        code: "gateway-node-invalid",
        message: `node "${node}" is not a ${env.gateway.type === "embedded" ? "http:// or https:// admin URL" : "unix:///path or tcp://host:port runtime API address"}`,
        hint: env.gateway.type === "embedded" ? "write the admin URL, e.g. http://127.0.0.1:8081" : "write unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999",
        field: ["gateway", "nodes", i],
      }));
    });
  }

  for (const [name, variable] of Object.entries(stack.variables ?? {})) {
    const values = typeof variable === "string" ? [[[], variable] as const] : [
      ...(variable.default !== undefined ? [[["default"], variable.default] as const] : []),
      ...Object.entries(variable.environments ?? {}).map(([env, v]) => [["environments", env], v] as const),
    ];
    for (const [field, value] of values) {
      if (!/\$\{var:/.test(value)) continue;
      out.push(diagnose(origins.get(`variables.${name}`)!, `variables.${name}`, {
        code: "variable-nested",
        message: "a variable's value cannot use ${var:…}",
        hint: "write the value out; a variable may use ${env:…} and ${environment}",
        field: [...field],
        at: "value",
      }));
    }
    if (typeof variable === "string") continue;
    for (const env of Object.keys(variable.environments ?? {})) {
      if (envNames.includes(env)) continue;
      out.push(unknownEnvironment(loaded, `variables.${name}`, ["environments", env], env, envNames, "key"));
    }
  }

  for (const kind of RESOURCE_KINDS) {
    for (const [name, spec] of Object.entries((stack[kind] ?? {}) as Record<string, Declared>)) {
      (spec.environments ?? []).forEach((env, i) => {
        if (!envNames.includes(env)) out.push(unknownEnvironment(loaded, `${kind}.${name}`, ["environments", i], env, envNames, "value"));
      });
    }
  }

  out.push(...checkCertificates(loaded, stack), ...checkTrustAssignments(loaded, stack), ...checkPassphrases(loaded, stack));
  return out;
}

/** A passphrase written into the stack is a secret in version control. */
function checkPassphrases(loaded: LoadedStack, stack: StackFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (value: unknown, path: (string | number)[], address: string) => {
    if (!value || typeof value !== "object") return;
    for (const [k, v] of Object.entries(value)) {
      if ((k === "passphrase" || k === "keyPassphrase") && typeof v === "string" && !v.includes("${env:")) {
        out.push(diagnose(loaded.origins.get(address)!, address, { severity: "warning", code: "passphrase-literal", message: "a passphrase is written in the stack", hint: `read it from the environment: ${k}: ${"${env:VAR}"}`, field: [...path, k] }));
      } else walk(v, [...path, k], address);
    }
  };
  for (const kind of ["certificates", "trustedCertificates"] as const) {
    for (const [name, spec] of Object.entries(stack[kind] ?? {})) walk(spec, [], `${kind}.${name}`);
  }
  return out;
}

function unknownEnvironment(loaded: LoadedStack, key: string, field: (string | number)[], env: string, envNames: string[], at: "key" | "value"): Diagnostic {
  const guess = closest(env, envNames);
  return diagnose(loaded.origins.get(key)!, key, {
    code: "unknown-environment",
    message: `environment "${env}" is not declared`,
    hint: guess ? `did you mean "${guess}"?` : `declare it under environments:, or use one of: ${envNames.join(", ") || "(none declared)"}`,
    field,
    at,
  });
}

function checkCertificates(loaded: LoadedStack, stack: StackFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, c] of Object.entries(stack.certificates ?? {})) {
    const address = `certificates.${name}`;
    const origin = loaded.origins.get(address)!;
    const csr = c.generate?.csr;
    if (c.generate && !csr && !c.generate.hosts) {
      out.push(diagnose(origin, address, { code: "generate-hosts-missing", message: "generate: needs hosts", hint: "add hosts: [...] under generate:, or csr: { hosts: [...] } to have an outside CA sign it", field: ["generate"], at: "key" }));
    }
    if (csr && c.generate) {
      const extra = (["hosts", "issuer", "acme"] as const).find((k) => c.generate![k] !== undefined);
      if (extra) out.push(diagnose(origin, address, { code: "csr-and-" + extra, message: `generate.csr is signed by an outside CA, so generate.${extra} does not apply`, hint: extra === "hosts" ? "write the hosts under csr: { hosts: [...] }" : `remove generate.${extra}, or remove csr:`, field: ["generate", extra], at: "key" }));
    }
    if (c.certificate && c.generate && !csr) {
      out.push(diagnose(origin, address, { code: "certificate-and-generate", message: "has both certificate and generate", hint: "keep certificate: (you bring it) or generate: (certform makes it), not both", field: ["generate"], at: "key" }));
    } else if (!c.certificate && !c.generate) {
      out.push(diagnose(origin, address, { code: "certificate-missing", message: "needs certificate: or generate:", hint: "add certificate: { file: cert.pem } with key: { file: cert.key }, or generate: { hosts: [...] }" }));
    }
    if (c.generate && (c.key || c.chain)) {
      out.push(diagnose(origin, address, { code: "key-with-generate", message: `a generated certificate takes no ${c.key ? "key" : "chain"}`, hint: "its key is made at apply time and never leaves the gateways; remove the key (or use certificate: instead of generate:)", field: [c.key ? "key" : "chain"], at: "key" }));
    }
    const keystore = namesKeystoreEntry(c.certificate);
    if (keystore && c.key) {
      out.push(diagnose(origin, address, { code: "keystore-key-given", message: "the keystore's private-key entry carries the certificate's key, so key: does not apply", hint: "remove key: (set keyPassphrase: on the certificate if the entry's key password differs from the store's)", field: ["key"], at: "key" }));
    }
    if (c.certificate && !c.key && !csr && !("pkcs12" in c.certificate) && !keystore) {
      out.push(diagnose(origin, address, { code: "key-missing", message: "a server certificate needs its private key", hint: "add key: { file: PATH } or key: { env: VAR } (or use a pkcs12 source or a keystore's private-key entry, which carry the key)" }));
    }
  }
  return out;
}

function checkTrustAssignments(loaded: LoadedStack, stack: StackFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, t] of Object.entries(stack.trustAssignments ?? {})) {
    const address = `trustAssignments.${name}`;
    const origin = loaded.origins.get(address)!;
    // scope: clients with endpoint: is mutual TLS for that endpoint's routes; any other scope with an
    // endpoint says two different things about whom the certificate is trusted for.
    if (t.endpoint !== undefined && t.scope !== undefined && t.scope !== "clients") {
      out.push(diagnose(origin, address, { code: "trust-target", message: `has both endpoint and scope: ${t.scope}`, hint: "keep one: endpoint: NAME for one backend, or scope: environment | management; endpoint: goes with scope: only as scope: clients (mutual TLS for that endpoint's routes)", field: ["scope"], at: "key" }));
    } else if (t.endpoint === undefined && t.scope === undefined) {
      out.push(diagnose(origin, address, { code: "trust-target", message: "has neither endpoint nor scope", hint: "add endpoint: NAME for one backend, or scope: environment | management | clients" }));
    }
    for (const key of ["hosts", "required"] as const) {
      if (t[key] !== undefined && t.scope !== "clients") {
        out.push(diagnose(origin, address, { code: "trust-clients-only", message: `${key} applies only to scope: clients (mutual TLS)`, hint: `remove ${key}, or set scope: clients`, field: [key], at: "key" }));
      }
    }
  }
  return out;
}
