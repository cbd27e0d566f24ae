// Writes schemas/*.json from the zod model; src/model/published-schemas.test.ts fails when they are stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "../src/schemas/published-schemas.js";

const dir = join(import.meta.dirname, "..", "schemas");
for (const [file, entry] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(join(dir, file), renderJsonSchema(entry));
  console.log(`wrote schemas/${file}`);
}
