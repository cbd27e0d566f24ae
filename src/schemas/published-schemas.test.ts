import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "./published-schemas.js";

describe("schemas/", () => {
  for (const [file, entry] of Object.entries(PUBLISHED_SCHEMAS)) {
    it(`${file} is what the zod model generates (run npm run schemas when this fails)`, () => {
      const committed = readFileSync(join(import.meta.dirname, "..", "..", "schemas", file), "utf8");
      expect(committed).toBe(renderJsonSchema(entry));
    });
  }

  it("the stack schema offers completion for every top-level key and every source", () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "schemas", "stack.schema.json"), "utf8"));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["apiVersion", "kind", "name", "variables", "environments", "certificates", "trustedCertificates", "endpoints", "trustAssignments", "jwks", "alerts"]),
    );
    expect(schema.additionalProperties).toBe(false);
    const sources = JSON.stringify(schema.$defs.CertificateSource);
    for (const key of ["file", "pem", "base64", "pkcs12", "url"]) expect(sources).toContain(`"${key}"`);
  });
});

describe("schemas/gateway-admin.openapi.json", () => {
  it("is an OpenAPI 3.1 document whose every $ref resolves, covering every collection", () => {
    const doc = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "schemas", "gateway-admin.openapi.json"), "utf8"));
    expect(doc.openapi).toBe("3.1.0");
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(doc.components.schemas[r], r).toBeDefined();
    for (const c of ["certificates", "trusted", "endpoints", "trust", "jwks"]) {
      expect(Object.keys(doc.paths[`/v1/${c}/{name}`])).toEqual(expect.arrayContaining(["get", "put", "delete"]));
    }
    // Every component is a real schema, not a reference to itself.
    for (const [name, schema] of Object.entries<Record<string, unknown>>(doc.components.schemas)) {
      expect(schema.$ref, name).not.toBe(`#/components/schemas/${name}`);
    }
    expect(Object.keys(doc.components.schemas.StatusView.properties)).toEqual(expect.arrayContaining(["node", "environment", "revision", "certificates", "listen"]));
    // Keys are write-only: no response schema has a key field.
    expect(JSON.stringify(doc.components.schemas.CertificateView)).not.toMatch(/"key"|keyPem/);
  });
});
