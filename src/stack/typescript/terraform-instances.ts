import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RESOURCE_KINDS, type Diagnostic } from "../../model/index.js";
import type { AnyInstance } from "../desired-state.js";
import { instantiate } from "../instantiate.js";
import { checkStructure } from "../structure-checks.js";
import type { DeclaredConstruct } from "./brand.js";
import { withConstructPaths } from "./diagnostics.js";
import { readConstructStack } from "./walk.js";

export interface TerraformInstance {
  address: string;
  /** SHA-256 of the instance's declaration (or policy), expanded for its environment, and of the certificate files it reads. */
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
  // A policy is part of what the stack declares: a changed rule shows in `terraform plan` like a changed resource.
  for (const [name, policy] of Object.entries(loaded.stack.policies ?? {})) {
    instances.push({ address: `policies.${name}`, contentSha256: createHash("sha256").update(canonicalJson({ address: `policies.${name}`, policy })).digest("hex") });
  }
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
