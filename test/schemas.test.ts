import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "../src/model/published-schemas.js";

describe("schemas/", () => {
  for (const [file, entry] of Object.entries(PUBLISHED_SCHEMAS)) {
    it(`${file} is what the zod model generates (run npm run schemas when this fails)`, () => {
      const committed = readFileSync(join(import.meta.dirname, "..", "schemas", file), "utf8");
      expect(committed).toBe(renderJsonSchema(entry));
    });
  }

  it("the stack schema offers completion for every top-level key and every source", () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "schemas", "stack.schema.json"), "utf8"));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["apiVersion", "kind", "name", "variables", "environments", "certificates", "trustedCertificates", "endpoints", "trustAssignments", "jwks", "alerts"]),
    );
    expect(schema.additionalProperties).toBe(false);
    const sources = JSON.stringify(schema.$defs.CertificateSource);
    for (const key of ["file", "pem", "base64", "pkcs12", "url"]) expect(sources).toContain(`"${key}"`);
  });
});
