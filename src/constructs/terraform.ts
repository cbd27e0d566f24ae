import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Construct } from "constructs";
import { RESOURCE_KINDS, StackError, type Diagnostic } from "../model/index.js";
import type { AnyInstance } from "../stack/desired-state.js";
import { instantiate } from "../stack/instantiate.js";
import { checkStructure } from "../stack/structure-checks.js";
import { withConstructPaths } from "../stack/typescript-diagnostics.js";
import { readConstructStack } from "../stack/typescript-walk.js";
import type { DeclaredConstruct } from "./brand.js";
import { LocalBackend, NullProvider, NullResource, TerraformBackend, TerraformProvider, type TerraformStack } from "./cdktf.js";

export interface TerraformInstance {
  address: string;
  /** SHA-256 of the instance's declaration, expanded for its environment, and of the certificate files it reads. */
  contentSha256: string;
}

/**
 * Every resource instance of a certform stack, with its content hash. Expanded without the process
 * environment (an `${env:…}` stays as written), so that the same stack gives the same hashes on every machine
 * and no secret of the environment is hashed; keys are never read.
 */
export function terraformInstances(stack: DeclaredConstruct): { instances: TerraformInstance[]; diagnostics: Diagnostic[] } {
  const { loaded, diagnostics } = readConstructStack(stack);
  if (!loaded) return { instances: [], diagnostics };
  diagnostics.push(...checkStructure(loaded));
  const { state, diagnostics: expansion } = instantiate(loaded, { env: {}, requireGatewayEnv: false });
  diagnostics.push(...expansion.filter((d) => d.code !== "env-unset"));
  const instances = state.environments.flatMap((env) => RESOURCE_KINDS.flatMap((kind) => env[kind].map((inst: AnyInstance) => ({ address: inst.address, contentSha256: contentHash(inst) }))));
  return { instances, diagnostics: withConstructPaths(loaded, diagnostics) };
}

function contentHash(inst: AnyInstance): string {
  const files: Record<string, string> = {};
  for (const file of certificateFiles(inst)) {
    try {
      files[file] = createHash("sha256").update(readFileSync(resolve(inst.origin.baseDir, file))).digest("hex");
    } catch {
      files[file] = "unreadable";
    }
  }
  return createHash("sha256").update(canonicalJson({ address: inst.address, spec: inst.spec, files })).digest("hex");
}

// Public material only: certificate and chain files. Keys (and PKCS#12 files, which hold one) are not read.
function certificateFiles(inst: AnyInstance): string[] {
  const sources: unknown[] = [];
  if (inst.kind === "certificates") sources.push(inst.spec.certificate, inst.spec.chain, inst.spec.generate?.issuer?.certificate);
  if (inst.kind === "trustedCertificates") sources.push(inst.spec.certificate);
  return sources.flatMap((s) => (s && typeof s === "object" && "file" in s && typeof s.file === "string" ? [s.file] : []));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const mirrored = new WeakSet<object>();

/**
 * Adds to a certform stack, once, what it synthesizes to: the null provider, a local backend with a relative
 * path (unless the stack has a backend), and one null_resource per resource instance whose triggers carry the
 * address and the content hash. Throws when the stack is not valid.
 */
export function mirrorInTerraform(stack: TerraformStack & DeclaredConstruct): void {
  if (mirrored.has(stack)) return;
  mirrored.add(stack);
  const { instances, diagnostics } = terraformInstances(stack);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new StackError(errors);

  const children = stack.node.children;
  if (!children.some((c) => c instanceof TerraformProvider && c.terraformResourceType === "null")) new NullProvider(stack, "null");
  // Without a backend, cdktf writes the absolute path of a local state file into the output.
  if (!children.some((c) => c instanceof TerraformBackend)) new LocalBackend(stack, { path: `terraform.${stack.node.id}.tfstate` });

  const scope = new Construct(stack, "certform-instances");
  const ids = instances.map((i) => i.address.replace(/[^A-Za-z0-9_-]/g, "_").replace(/_+$/, ""));
  instances.forEach((inst, n) => {
    const unique = ids.indexOf(ids[n]!) === ids.lastIndexOf(ids[n]!);
    const resource = new NullResource(scope, inst.address, { triggers: { address: inst.address, content_sha256: inst.contentSha256 } });
    resource.overrideLogicalId(unique ? ids[n]! : `${ids[n]}_${createHash("sha256").update(inst.address).digest("hex").slice(0, 8)}`);
  });
}
