import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { RESOURCE_KINDS, StackFileSchema, formatPosition, type Diagnostic, type ResourceKind } from "../../model/index.js";
import { declarationOf, type Declaration, type DeclarationKind, type DeclaredConstruct, type SourceSite } from "./brand.js";
import type { LoadResult } from "../load-result.js";
import type { Origin } from "../merge.js";
import { locate } from "../locate.js";
import { schemaIssuesToDiagnostics } from "../schema-issues.js";
import { withConstructPaths, type ConstructSource } from "./diagnostics.js";
import { propPositions } from "./positions.js";
import { pathKey, type NodePosition, type PathSegment } from "../yaml-source.js";

type Node = DeclaredConstruct["node"];

const REFERENCE_KINDS: Partial<Record<ResourceKind, Record<string, ResourceKind[]>>> = {
  trustAssignments: { certificate: ["trustedCertificates"], endpoint: ["endpoints"] },
  jwks: { certificate: ["certificates", "trustedCertificates"] },
};
const CONSTRUCT_CLASS: Record<DeclarationKind, string> = {
  stack: "CertformStack",
  environments: "Environment",
  certificates: "ServerCertificate",
  trustedCertificates: "TrustedCertificate",
  endpoints: "Endpoint",
  trustAssignments: "TrustAssignment",
  jwks: "Jwk",
};

/**
 * Reads a CertformStack's construct tree into the value a YAML stack file would hold, with an origin per
 * declaration, and checks it with StackFileSchema: from here on it is loaded like any other stack.
 */
export function readConstructStack(stack: DeclaredConstruct, opts: { fallbackFile?: string } = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const stackDecl = declarationOf(stack)!;
  const fallbackFile = opts.fallbackFile ?? stack.node.path;
  const sources: ConstructSource[] = [];
  const texts = new Map<string, string | undefined>();
  const source = (node: Node, decl: Declaration, path: PathSegment[]): ConstructSource => {
    const src = sourceOf(node, decl.site, fallbackFile);
    if (decl.site) {
      const file = decl.site.file;
      if (!texts.has(file)) texts.set(file, readText(file));
      const text = texts.get(file);
      if (text !== undefined) for (const [field, pos] of propPositions(text, decl.site)) src.positions.set(pathKey([...path, ...field]), pos);
    }
    sources.push(src);
    return src;
  };

  const stackProps = stackDecl.props as { description?: unknown; variables?: Record<string, unknown>; alerts?: unknown; policies?: Record<string, unknown>; baseDir?: unknown };
  const stackSrc = source(stack.node, stackDecl, []);
  const baseDir = typeof stackProps.baseDir === "string"
    ? resolve(stackDecl.site ? dirname(stackDecl.site.file) : process.cwd(), stackProps.baseDir)
    : stackDecl.site ? dirname(stackDecl.site.file) : opts.fallbackFile ? dirname(resolve(opts.fallbackFile)) : process.cwd();
  const origins = new Map<string, Origin>();
  origins.set("stack", { src: stackSrc, baseDir, path: [] });

  const raw: Record<string, unknown> = { apiVersion: "certform/v1", kind: "Stack", name: stackDecl.name };
  if (stackProps.description !== undefined) raw.description = stackProps.description;
  if (stackProps.variables !== undefined) {
    raw.variables = stackProps.variables;
    if (stackProps.variables && typeof stackProps.variables === "object") {
      for (const name of Object.keys(stackProps.variables)) origins.set(`variables.${name}`, { src: stackSrc, baseDir, path: ["variables", name] });
    }
  }
  const sections: Partial<Record<DeclarationKind, Record<string, unknown>>> = {};
  const declared = new Map<string, ConstructSource>();

  for (const construct of stack.node.findAll()) {
    const decl = declarationOf(construct);
    const node = construct.node;
    if (!decl || decl.kind === "stack" || owningStack(node) !== stack.node) continue;
    const section = decl.kind;
    const key = `${section}.${decl.name}`;
    const path: PathSegment[] = [section, decl.name];
    const src = source(node, decl, path);
    const earlier = declared.get(key);
    if (earlier) {
      const there = { file: earlier.file, ...earlier.positions.get("")!.value };
      diagnostics.push({
        severity: "error",
        code: "duplicate-name",
        file: src.file,
        ...src.positions.get("")!.value,
        address: key,
        message: `${key} is declared twice: here and at ${formatPosition(there)} (constructs ${node.path} and ${earlier.constructPath})`,
        hint: "rename one of them (the construct id, or its name prop) or remove the duplicate",
        related: [there],
      });
      continue;
    }
    declared.set(key, src);
    origins.set(key, { src, baseDir, path });
    const problem = (code: string, field: PathSegment[], message: string, hint: string) =>
      diagnostics.push({ severity: "error", code, ...locate(src, [...path, ...field]), address: key, message: `${key}: ${message}`, hint });
    (sections[section] ??= {})[decl.name] = specOf(stack.node, decl, problem);
  }

  // In the order of a stack file, so that the value reads (and is walked) like one.
  for (const section of ["environments", ...RESOURCE_KINDS] as const) if (sections[section]) raw[section] = sections[section];
  if (stackProps.alerts !== undefined) {
    raw.alerts = stackProps.alerts;
    origins.set("alerts", { src: stackSrc, baseDir, path: ["alerts"] });
  }
  if (stackProps.policies !== undefined) {
    raw.policies = stackProps.policies;
    if (stackProps.policies && typeof stackProps.policies === "object") {
      for (const name of Object.keys(stackProps.policies)) origins.set(`policies.${name}`, { src: stackSrc, baseDir, path: ["policies", name] });
    }
  }
  for (const src of sources) src.value = raw;

  for (const [key, origin] of origins) {
    if (key === "stack") continue;
    findInlineKeys(valueAt(raw, origin.path), [], (field) =>
      diagnostics.push({
        severity: "error",
        code: "key-inline",
        ...locate(origin.src, [...origin.path, ...field]),
        address: key,
        message: `${key}: a private key is written in the stack (at ${[...origin.path, ...field].join(".")})`,
        hint: "a private key never goes in a stack: give it as key: { file: PATH } or key: { env: VAR }, and rotate this key if the file was ever shared",
      }),
    );
  }

  const parsed = StackFileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [section, name] = issue.path;
      const src = (typeof name === "string" && origins.get(`${String(section)}.${name}`)?.src) || stackSrc;
      diagnostics.push(...schemaIssuesToDiagnostics(StackFileSchema, src, [issue]));
    }
  }
  if (!parsed.success || diagnostics.length > 0) return { diagnostics: withConstructPaths({ origins }, diagnostics) };
  return { loaded: { name: stackDecl.name, stack: parsed.data, origins }, diagnostics };
}

/** The certform stack a construct belongs to: its nearest ancestor that is one. */
function owningStack(node: Node): Node | undefined {
  for (let scope = node.scope; scope; scope = scope.node.scope) {
    if (declarationOf(scope)?.kind === "stack") return scope.node;
  }
  return undefined;
}

function sourceOf(node: Node, site: SourceSite | undefined, fallbackFile: string): ConstructSource {
  const at = site ? { line: site.line, column: site.column } : { line: 1, column: 1 };
  const pos: NodePosition = { key: at, value: at };
  const file = site ? relative(process.cwd(), site.file) || site.file : fallbackFile;
  return { file, value: undefined, positions: new Map([[pathKey([]), pos]]), constructPath: node.path };
}

/** The declaration as a stack file holds it: the `name` prop left out, references to constructs as names. */
function specOf(stack: Node, decl: Declaration, problem: (code: string, field: PathSegment[], message: string, hint: string) => void): Record<string, unknown> {
  const { name: _name, ...spec } = decl.props as Record<string, unknown>;
  const refName = (value: unknown, field: PathSegment[], kinds: DeclarationKind[]): unknown => {
    const target = declarationOf(value);
    if (!target) return value;
    const targetNode = (value as DeclaredConstruct).node;
    const what = kinds.map((k) => CONSTRUCT_CLASS[k]).join(" or ");
    if (!kinds.includes(target.kind)) {
      problem("reference-wrong-kind", field, `${field.join(".")} is the ${CONSTRUCT_CLASS[target.kind]} ${targetNode.path}; it takes a ${what}`, `give a ${what} or its name`);
    } else if (owningStack(targetNode) !== stack) {
      problem("reference-other-stack", field, `${field.join(".")} is ${targetNode.path}, which belongs to another stack`, "refer to a construct of the same CertformStack");
    }
    return target.name;
  };
  if (Array.isArray(spec.environments)) spec.environments = spec.environments.map((e, i) => refName(e, ["environments", i], ["environments"]));
  const refs = REFERENCE_KINDS[decl.kind as ResourceKind] ?? {};
  for (const [field, kinds] of Object.entries(refs)) {
    if (spec[field] !== undefined) spec[field] = refName(spec[field], [field], kinds);
  }
  return spec;
}

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

// "A private key is never written inline in a stack": the YAML loader refuses it in the text, this in the value.
function findInlineKeys(value: unknown, path: PathSegment[], report: (field: PathSegment[]) => void): void {
  if (typeof value === "string") {
    // key: { pem: … } is refused by the schema already, with its own words.
    if (PRIVATE_KEY.test(value) && !(path.at(-1) === "pem" && path.at(-2) === "key")) report(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findInlineKeys(v, [...path, i], report));
  } else if (value !== null && typeof value === "object" && declarationOf(value) === undefined) {
    for (const [k, v] of Object.entries(value)) findInlineKeys(v, [...path, k], report);
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((v, seg) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined), root);
}
