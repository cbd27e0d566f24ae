import { jsonText } from "../model/control-chars.js";
import { PlanSchema, type Plan } from "../model/plan.js";

// A private key in PEM armour, whatever its kind (PKCS#8, RSA, EC, encrypted, OpenSSH).
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * The plan value itself, as `plan --format json` prints it and `plan --out` saves it: keys in the schema's
 * order (parsing puts them there and drops anything the schema does not know), two-space indentation, a
 * trailing newline. A plan that holds a private key is a bug upstream; it is refused rather than written.
 */
export function renderPlanJson(plan: Plan): string {
  const text = `${jsonText(PlanSchema.parse(plan))}\n`;
  if (PRIVATE_KEY_PEM.test(text)) {
    const at = plan.environments.flatMap((e) => e.operations).find((op) => PRIVATE_KEY_PEM.test(JSON.stringify(op)))?.address;
    throw new Error(`refusing to render a plan that holds a private key${at ? ` (in the operation for ${at})` : ""}: keys belong in keyRef, by fingerprint`);
  }
  return text;
}
