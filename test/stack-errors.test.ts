import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStack } from "../src/stack/index.js";
import { ENVIRONMENTS, HEADER, only, positionOf, writeStackDir } from "./support/stack.js";

/** Validates a one-file stack and returns its diagnostics plus the file's text and display name. */
async function validate(body: string, env: NodeJS.ProcessEnv = {}) {
  const text = HEADER + ENVIRONMENTS + body;
  const dir = writeStackDir({ "stack.yaml": text });
  const { diagnostics, state } = await readStack([join(dir, "stack.yaml")], { env, capture: false });
  return { diagnostics, state, text };
}

const GENERATED = `certificates:
  api:
    generate: { hosts: ["api.example.com"] }
`;

describe("stack structure errors name file:line:column, the address and the fix", () => {
  it("an unknown key points at the key and suggests the right one", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    generate: { hosts: ["api.example.com"] }
    hots: ["api.example.com"]
`);
    const d = only(diagnostics, "unknown-key");
    expect(d).toMatchObject({ ...positionOf(text, "hots:"), address: "certificates.api", severity: "error" });
    expect(d.message).toContain('unknown key "hots"');
    expect(d.hint).toContain('did you mean "hosts"');
    expect(d.file).toMatch(/stack\.yaml$/);
  });

  it("a wrong type points at the value", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    generate: { hosts: ["api.example.com"] }
    default: "yes"
`);
    const d = only(diagnostics, "wrong-type");
    expect(d).toMatchObject(positionOf(text, '"yes"'));
    expect(d.message).toContain("certificates.api.default must be true or false");
  });

  it("a missing required key points at the resource's name", async () => {
    const { diagnostics, text } = await validate(`trustedCertificates:
  billing-ca:
    alias: billing
`);
    const d = only(diagnostics, "missing-key");
    expect(d).toMatchObject({ ...positionOf(text, "billing-ca:"), address: "trustedCertificates.billing-ca" });
    expect(d.message).toContain('needs "certificate"');
  });

  it("a bad enum value suggests the closest value", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    generate: { hosts: ["api.example.com"], keyType: ec-256 }
`);
    const d = only(diagnostics, "invalid-value");
    expect(d).toMatchObject(positionOf(text, "ec-256"));
    expect(d.hint).toContain('"ec-p256"');
  });

  it("a source with two kinds of input is refused", async () => {
    const { diagnostics, text } = await validate(`trustedCertificates:
  ca:
    certificate: { file: ca.pem, pem: "x" }
`);
    const d = only(diagnostics, "source-ambiguous");
    expect(d).toMatchObject(positionOf(text, "{ file: ca.pem"));
    expect(d.message).toContain("exactly one of file, pem, base64, pkcs12, url");
  });

  it("an inline private key is refused with the way to give one", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    certificate: { file: api.pem }
    key: { pem: "-----BEGIN PRIVATE KEY-----" }
`);
    const d = only(diagnostics, "key-inline");
    expect(d).toMatchObject(positionOf(text, "-----BEGIN"));
    expect(d.hint).toContain("{ env: VAR }");
    expect(JSON.stringify(diagnostics)).not.toContain("BEGIN PRIVATE KEY");
  });

  it("an environment that is not declared is an error at the list entry", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    environments: [dev, prdo]
    generate: { hosts: ["api.example.com"] }
`);
    const d = only(diagnostics, "unknown-environment");
    expect(d).toMatchObject({ ...positionOf(text, "prdo"), address: "certificates.api" });
    expect(d.hint).toContain('did you mean "prod"');
  });

  it("a trust assignment naming an endpoint that does not exist is an error at that reference", async () => {
    const { diagnostics, text } = await validate(`trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  backend: { certificate: ca, endpoint: billing }
`);
    const d = only(diagnostics, "reference-missing");
    expect(d).toMatchObject({ ...positionOf(text, "billing }"), address: "trustAssignments.backend[dev]" });
    expect(d.message).toContain('endpoint "billing" is not declared in endpoints');
  });

  it("a reference to a resource that exists in another environment only says so", async () => {
    const { diagnostics, text } = await validate(`endpoints:
  billing: { url: "https://billing.internal", environments: [prod] }
trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  backend: { certificate: ca, endpoint: billing }
`);
    const d = only(diagnostics, "reference-missing");
    expect(d).toMatchObject({ ...positionOf(text, "billing }"), address: "trustAssignments.backend[dev]" });
    expect(d.message).toContain("exists, but not in environment dev");
  });

  it("a trust assignment with both endpoint and scope, or neither, is refused", async () => {
    const both = await validate(`endpoints:
  billing: { url: "https://billing.internal" }
trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  backend: { certificate: ca, endpoint: billing, scope: environment }
`);
    const d1 = only(both.diagnostics, "trust-target");
    expect(d1).toMatchObject(positionOf(both.text, "scope:"));
    expect(d1.message).toContain("both endpoint and scope");

    const neither = await validate(`trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  backend: { certificate: ca }
`);
    const d2 = only(neither.diagnostics, "trust-target");
    expect(d2).toMatchObject(positionOf(neither.text, "backend:"));
    expect(d2.message).toContain("neither endpoint nor scope");
  });

  it("scope: clients may name an endpoint (mutual TLS for its routes); another scope with an endpoint is refused", async () => {
    const ok = await validate(`endpoints:
  billing: { url: "https://billing.internal" }
trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  partners: { certificate: ca, scope: clients, endpoint: billing, hosts: ["api.example.com"], required: false }
`);
    expect(ok.diagnostics.filter((d) => d.severity === "error")).toEqual([]);

    for (const scope of ["environment", "management"]) {
      const bad = await validate(`endpoints:
  billing: { url: "https://billing.internal" }
trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  partners: { certificate: ca, endpoint: billing, scope: ${scope} }
`);
      const d = only(bad.diagnostics, "trust-target");
      expect(d).toMatchObject({ ...positionOf(bad.text, "scope:"), address: "trustAssignments.partners" });
      expect(d.message).toContain(`has both endpoint and scope: ${scope}`);
      expect(d.hint).toContain("scope: clients");
    }
  });

  it("scope: clients naming an unknown endpoint, or one of another environment, is an error at that reference", async () => {
    const unknown = await validate(`trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  partners: { certificate: ca, scope: clients, endpoint: biling }
endpoints:
  billing: { url: "https://billing.internal" }
`);
    expect(unknown.diagnostics.filter((x) => x.severity === "error")).toHaveLength(1);
    const d = only(unknown.diagnostics, "reference-missing");
    expect(d).toMatchObject({ ...positionOf(unknown.text, "biling"), address: "trustAssignments.partners[dev]" });
    expect(d.message).toContain('endpoint "biling" is not declared in endpoints');

    const elsewhere = await validate(`endpoints:
  billing: { url: "https://billing.internal", environments: [prod] }
trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  partners: { certificate: ca, scope: clients, endpoint: billing }
`);
    expect(elsewhere.diagnostics.filter((x) => x.severity === "error")).toHaveLength(1);
    const e = only(elsewhere.diagnostics, "reference-missing");
    expect(e).toMatchObject({ ...positionOf(elsewhere.text, "billing }"), address: "trustAssignments.partners[dev]" });
    expect(e.message).toContain('endpoint "billing" exists, but not in environment dev');
    expect(e.hint).toContain("add dev to endpoints.billing.environments");
  });

  it("a certificate with neither a certificate nor generate, or without its key, is refused", async () => {
    const { diagnostics, text } = await validate(`certificates:
  a: { hosts: ["a.example.com"] }
  b: { certificate: { file: b.pem } }
`);
    expect(only(diagnostics, "certificate-missing")).toMatchObject(positionOf(text, "a: {"));
    expect(only(diagnostics, "key-missing")).toMatchObject(positionOf(text, "b:"));
  });

  it("a duplicate key in one mapping names both places", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    generate: { hosts: ["api.example.com"] }
  api:
    generate: { hosts: ["api2.example.com"] }
`);
    const d = only(diagnostics, "duplicate-key");
    expect(d).toMatchObject(positionOf(text, "api:", 2));
    expect(d.related?.[0]).toMatchObject(positionOf(text, "api:", 1));
  });

  it("aliases must be [A-Za-z0-9._-], at most 64 characters, and unique per environment", async () => {
    const { diagnostics, text } = await validate(`trustedCertificates:
  a: { alias: "bad alias", certificate: { url: "https://127.0.0.1:1" } }
  b: { alias: "${"x".repeat(65)}", certificate: { url: "https://127.0.0.1:1" } }
  c: { alias: same, certificate: { url: "https://127.0.0.1:1" } }
  d: { alias: same, certificate: { url: "https://127.0.0.1:1" } }
`);
    const invalid = diagnostics.filter((d) => d.code === "alias-invalid");
    expect(invalid.map((d) => [d.line, d.column])).toEqual([
      [positionOf(text, '"bad alias"').line, positionOf(text, '"bad alias"').column],
      [positionOf(text, '"xxx').line, positionOf(text, '"xxx').column],
    ]);
    expect(invalid[1]!.message).toContain("longer than 64");
    const dup = only(diagnostics, "alias-duplicate");
    expect(dup).toMatchObject(positionOf(text, "same", 2));
    expect(dup.related?.[0]).toMatchObject(positionOf(text, "same", 1));
  });

  it("control characters in a host are errors, never cleaned", async () => {
    const { diagnostics, text } = await validate(`certificates:
  api:
    generate: { hosts: ["api.example.com"] }
    hosts: ["api\\u0000.example.com"]
`);
    const d = only(diagnostics, "host-invalid");
    expect(d).toMatchObject(positionOf(text, '"api\\u0000'));
    expect(d.message).toContain("control character");
  });

  it("interpolation: ${var}, ${environment}, ${env:…:-default}; unset variables are errors", async () => {
    const ok = await validate(`variables:
  apiHost: { default: api.dev.example.com, environments: { prod: api.example.com } }
endpoints:
  billing: { url: "https://billing.\${environment}.internal:\${env:BILLING_PORT:-9443}", path: "/\${var:apiHost}" }
`);
    expect(ok.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const urls = ok.state!.environments.map((e) => [e.name, e.endpoints[0]!.spec.url, e.endpoints[0]!.path]);
    expect(urls).toEqual([
      ["dev", "https://billing.dev.internal:9443", "/api.dev.example.com"],
      ["prod", "https://billing.prod.internal:9443", "/api.example.com"],
    ]);

    const bad = await validate(`endpoints:
  billing: { url: "https://\${env:BILLING_HOST}/\${var:nope}/\${what}" }
`);
    expect(only(bad.diagnostics, "env-unset").message).toContain("BILLING_HOST is not set");
    expect(only(bad.diagnostics, "variable-unknown").message).toContain('"nope"');
    expect(only(bad.diagnostics, "interpolation-invalid")).toMatchObject(positionOf(bad.text, '"https://${env'));
  });

  it("duplicate names across the files of a directory name both files", async () => {
    const dir = writeStackDir({
      "a.yaml": HEADER + ENVIRONMENTS + GENERATED,
      "b.yaml": HEADER + GENERATED,
    });
    const { diagnostics } = await readStack([dir], { capture: false });
    const d = only(diagnostics, "duplicate-name");
    expect(d.file).toMatch(/b\.yaml$/);
    expect(d.message).toMatch(/certificates\.api is declared twice: here and at .*a\.yaml:\d+:\d+/);
    expect(d.related?.[0]?.file).toMatch(/a\.yaml$/);
  });

  it("variables and environments are declared in one file only; stack names must agree", async () => {
    const dir = writeStackDir({
      "a.yaml": HEADER + ENVIRONMENTS,
      "b.yaml": HEADER + ENVIRONMENTS,
      "c.yaml": HEADER.replace("payments", "other"),
    });
    const { diagnostics } = await readStack([dir], { capture: false });
    expect(only(diagnostics, "section-duplicate").file).toMatch(/b\.yaml$/);
    expect(only(diagnostics, "stack-name-mismatch").file).toMatch(/c\.yaml$/);
  });

  it("an alias bomb is refused before anything walks it", async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(",")}]`);
    }
    const dir = writeStackDir({ "bomb.yaml": `${HEADER}variables:\n  x: y\n${levels.map((l) => `# ${l}`).join("\n")}\nextra:\n${levels.map((l) => `  ${l}`).join("\n")}\n` });
    const { diagnostics } = await readStack([dir], { capture: false });
    expect(only(diagnostics, "yaml-too-large").message).toContain("expands to more than");
  });

  it("a YAML syntax error names its place", async () => {
    const dir = writeStackDir({ "s.yaml": `${HEADER}environments: [dev\n` });
    const { diagnostics } = await readStack([dir], { capture: false });
    expect(only(diagnostics, "yaml-syntax")).toMatchObject({ line: 5 });
  });
});

describe("positions of block scalars", () => {
  it("a problem in a `|` block points at its indicator", async () => {
    const text = `${HEADER}${ENVIRONMENTS}trustedCertificates:
  ca:
    certificate:
      base64: |
        MIIB*AAA
      encoding: BASE64
`;
    const dir = writeStackDir({ "stack.yaml": text });
    const { diagnostics } = await readStack([join(dir, "stack.yaml")], { capture: false });
    expect(only(diagnostics, "base64-invalid")).toMatchObject(positionOf(text, "|"));
  });
});

describe("inputs that must be refused, not mishandled", () => {
  it("YAML tags, merge keys and __proto__ are errors at their place", async () => {
    for (const [body, code, needle] of [
      ["certificates: !!binary aGVsbG8=\n", "yaml-tag", "!!binary"],
      ["base: &b { generate: { hosts: [a.example.com] } }\n", "unknown-key", "base:"],
      ["certificates:\n  a:\n    <<: { generate: { hosts: [a.example.com] } }\n", "yaml-merge-key", "<<"],
      ["certificates:\n  __proto__: { generate: { hosts: [a.example.com] } }\n", "invalid-name", "__proto__"],
    ] as const) {
      const { diagnostics, text } = await validate(body);
      expect(only(diagnostics, code)).toMatchObject(positionOf(text, needle));
    }
  });

  it("aliases are unique without regard to case", async () => {
    const { diagnostics } = await validate(`trustedCertificates:
  a: { alias: same, certificate: { url: "https://127.0.0.1:1" } }
  b: { alias: Same, certificate: { url: "https://127.0.0.1:1" } }
`);
    expect(only(diagnostics, "alias-duplicate").message).toContain("compared without case");
  });

  it("a variable may not use another variable; an unclosed ${ is an error; prototype names are not variables", async () => {
    const { diagnostics, text } = await validate(`variables:
  a: "x.example.com"
  b: "\${var:a}"
endpoints:
  e1: { url: "https://\${env:UNCLOSED/x" }
  e2: { url: "https://\${var:constructor}/x" }
  e3: { url: "https://h\${env:__proto__:-}.example.com/x" }
`);
    expect(only(diagnostics, "variable-nested")).toMatchObject({ ...positionOf(text, '"${var:a}"'), address: "variables.b" });
    expect(only(diagnostics, "interpolation-invalid").message).toContain("not closed");
    expect(only(diagnostics, "variable-unknown").message).toContain('"constructor"');
    expect(diagnostics.filter((d) => d.code === "url-invalid")).toEqual([]);
  });

  it("url: sources are checked offline: scheme, host and port only", async () => {
    const { diagnostics, text } = await validate(`trustedCertificates:
  a: { certificate: { url: "notaurl" } }
  b: { certificate: { url: "https://user:pw@127.0.0.1:19443/path?x" } }
  c: { certificate: { url: "http://127.0.0.1:80/" } }
`);
    const found = diagnostics.filter((d) => d.code === "url-invalid");
    expect(found.map((d) => d.line)).toEqual([positionOf(text, '"notaurl"').line, positionOf(text, '"https://user').line, positionOf(text, '"http://127.0.0.1:80/"').line]);
    expect(JSON.stringify(found)).not.toContain("pw@");
  });

  it("a missing top-level key names the stack; a NUL in a path is an error, not a crash", async () => {
    const dir = writeStackDir({ "s.yaml": "kind: Stack\nname: x\n" });
    const { diagnostics } = await readStack([dir], { capture: false });
    expect(only(diagnostics, "missing-key").message).toBe('the stack needs "apiVersion"');

    const nul = await validate(`trustedCertificates:\n  a: { certificate: { file: "ca.pem\\u0000" } }\n`);
    expect(only(nul.diagnostics, "path-invalid").message).toContain("control character");
  });

  it("clients-scope hosts are checked and must be served; a literal token is a warning", async () => {
    const text = `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  dev: { gateway: { type: embedded, nodes: ["http://127.0.0.1:8081"], token: hunter2 } }
certificates:
  api: { generate: { hosts: ["api.example.com"] } }
trustedCertificates:
  partner: { certificate: { url: "https://127.0.0.1:1" } }
trustAssignments:
  mtls: { certificate: partner, scope: clients, hosts: ["api.example.com", "bad host", "other.example.com"] }
`;
    const dir = writeStackDir({ "s.yaml": text });
    const { diagnostics } = await readStack([dir], { capture: false });
    expect(only(diagnostics, "host-invalid")).toMatchObject(positionOf(text, '"bad host"'));
    expect(only(diagnostics, "clients-host-unserved")).toMatchObject({ severity: "warning", ...positionOf(text, '"other.example.com"') });
    expect(only(diagnostics, "token-literal").severity).toBe("warning");
  });
});

describe("JWKs", () => {
  it("two JWKs of one certificate without their own kid would publish one kid twice", async () => {
    const { diagnostics, text } = await validate(`trustedCertificates:
  ca: { certificate: { url: "https://127.0.0.1:1" } }
jwks:
  a: { certificate: ca }
  b: { certificate: ca }
  c: { certificate: ca, kid: own }
`);
    const d = only(diagnostics, "kid-duplicate");
    expect(d).toMatchObject({ ...positionOf(text, "b:"), address: "jwks.b[dev]" });
  });
});
