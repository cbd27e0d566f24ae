import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { StackError } from "../model/index.js";
import type { DeclaredConstruct } from "../stack/typescript/brand.js";
import { terraformInstances } from "../stack/typescript/terraform-instances.js";
import { LocalBackend, NullProvider, NullResource, TerraformBackend, TerraformProvider, type TerraformStack } from "./cdktf.js";

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
