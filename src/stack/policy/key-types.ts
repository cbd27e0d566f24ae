import { certificateKeyShape, type KeyShape } from "../../x509/index.js";
import { certificateInstances } from "../desired-state.js";
import { list, servedLeaf, sourceField, type PolicyFinding, type RuleCheck } from "./finding.js";

/** A key's name as policies write it: ec-p256, rsa-3072, ed25519. */
export function keyTypeName(shape: KeyShape): string {
  if (shape.type === "EC" && shape.curve) return `ec-${shape.curve.replace(/-/g, "").toLowerCase()}`;
  if (shape.type === "RSA" && shape.bits) return `rsa-${shape.bits}`;
  return shape.type.toLowerCase();
}

export const checkKeyTypes: RuleCheck<"keyTypes"> = (policy, env) => {
  const out: PolicyFinding[] = [];
  for (const c of certificateInstances(env)) {
    let name: string | undefined;
    let bits: number | undefined;
    if (c.spec.generate) {
      name = c.spec.generate.csr?.keyType ?? c.spec.generate.keyType;
      bits = name.startsWith("rsa-") ? Number(name.slice(4)) : undefined;
    } else {
      const leaf = servedLeaf(c);
      if (!leaf) continue;
      const shape = certificateKeyShape(leaf);
      name = keyTypeName(shape);
      bits = shape.type === "RSA" ? shape.bits : undefined;
    }
    const field = sourceField(c, "keyType");
    const allowed = policy.allow as readonly string[] | undefined;
    if (allowed && !allowed.includes(name)) {
      out.push({ instance: c, field, message: `its key is ${name}, which the policy does not allow (allowed: ${list(allowed)})`, hint: `use a key of type ${list(allowed)}` });
    } else if (policy.minRsaBits !== undefined && bits !== undefined && bits < policy.minRsaBits) {
      out.push({ instance: c, field, message: `its RSA key has ${bits} bits, fewer than the policy's minRsaBits ${policy.minRsaBits}`, hint: `reissue it with an RSA key of at least ${policy.minRsaBits} bits, or an EC key` });
    }
  }
  return out;
};
