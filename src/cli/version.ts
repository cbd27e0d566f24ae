import { readFileSync } from "node:fs";
import { join } from "node:path";

/** certform's own version, from its package.json (recorded in plans and bundles). */
export const CERTFORM_VERSION: string = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")).version;
