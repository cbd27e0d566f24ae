import type { Plan } from "../../src/model/plan.js";
import { api } from "./gateway.js";

/**
 * Writes a plan's operations straight through the admin API, step by step, with the keys given by
 * address: what apply does, minus its safety, so that plan tests can stand on an applied state.
 */
export async function writePlan(plan: Plan, keys: Record<string, string> = {}): Promise<void> {
  for (const env of plan.environments) {
    for (const op of env.operations) {
      for (const node of op.nodes) {
        const path = `/v1/${op.collection}/${encodeURIComponent(op.name)}`;
        let body = op.body;
        if (op.keyRef) {
          const key = keys[op.keyRef.address];
          if (!key) throw new Error(`no key given for ${op.keyRef.address}`);
          body = op.keyRef.field === "key" ? { ...body, key } : { ...body, generate: { ...(body!.generate as object), issuer: { ...((body!.generate as { issuer: object }).issuer), key } } };
        }
        const r = op.op === "put" ? await api(node, "PUT", path, body) : await api(node, "DELETE", path);
        if (r.status >= 300) throw new Error(`${op.op} ${path} on ${node}: ${r.status} ${r.text}`);
      }
    }
  }
}
