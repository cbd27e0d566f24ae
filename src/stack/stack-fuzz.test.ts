import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { StackError, type Diagnostic } from "../model/index.js";
import { readStack } from "./index.js";
import { fuzzRuns } from "../../test/support/fuzz.js";
import { parseYamlSource } from "./yaml-source.js";

// Whatever text a stack file holds, the loader answers with a stack or with diagnostics, each with a place,
// a code, a message and a hint: never another exception, never a hang. Runs are bounded (a fixed seed count
// and time) so that the suite stays fast; a failure prints fast-check's seed and the shrunk input.

const SEED_STACK = `# yaml-language-server: $schema=../schemas/stack.schema.json
apiVersion: certform/v1
kind: Stack
name: payments
variables:
  apiHost:
    default: api.dev.example.com
    environments: { prod: api.example.com }
environments:
  dev:
    gateway: { type: embedded, nodes: ["http://127.0.0.1:8081"], token: "\${env:CERTFORM_DEV_TOKEN:-x}" }
  prod:
    gateway:
      type: embedded
      nodes:
        - http://127.0.0.1:8091
        - 'http://127.0.0.1:8092'
certificates:
  api:
    environments: [dev, prod]
    certificate: { pem: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n" }
    key: { env: CERTFORM_API_KEY }
    hosts: ["\${var:apiHost}"]
    default: true
  wild:
    generate: &gen
      hosts: ["*.dev.example.com"]
      keyType: ec-p256
      validity: 90d
      renewBefore: 30d
trustedCertificates:
  billing-ca:
    alias: billing-ca
    certificate: { base64: "TUlJQg==", encoding: BASE64 }
endpoints:
  billing:
    url: "https://billing.internal:9443/\${environment}"
    path: /billing
trustAssignments:
  billing-backend: { certificate: billing-ca, endpoint: billing }
jwks:
  signing: { certificate: billing-ca, use: sig, onCertificateChange: update }
alerts: { warnBefore: 30d, criticalBefore: 7d }
notes: |
  a block scalar
  over two lines
`;

/** Characters that mean something to YAML, and some that should never be in a stack. */
const SIGNIFICANT = [..."{}[],:&*!|>'\"#-?%@`\t\n\r ", "\u0000", "\u0085", "\u2028", "\uFEFF", "\uD800", "${", "<<", "---", "...", "~", "é", "😀"];
const fragment = fc.oneof(fc.constantFrom(...SIGNIFICANT), fc.string({ maxLength: 6 }), fc.string({ unit: "binary", maxLength: 4 }));

type Edit = { kind: "delete"; at: number; length: number } | { kind: "insert"; at: number; text: string } | { kind: "duplicate-line"; at: number } | { kind: "indent"; at: number; by: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fragment }),
  fc.record({ kind: fc.constant("duplicate-line" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

function mutate(text: string, edits: Edit[]): string {
  for (const e of edits) {
    const at = text.length === 0 ? 0 : e.at % text.length;
    if (e.kind === "delete") text = text.slice(0, at) + text.slice(at + e.length);
    else if (e.kind === "insert") text = text.slice(0, at) + e.text + text.slice(at);
    else {
      const start = text.lastIndexOf("\n", at - 1) + 1;
      const end = text.indexOf("\n", at) === -1 ? text.length : text.indexOf("\n", at) + 1;
      const line = text.slice(start, end);
      const changed = e.kind === "duplicate-line" ? line + line : e.by >= 0 ? " ".repeat(e.by) + line : line.replace(new RegExp(`^ {0,${-e.by}}`), "");
      text = text.slice(0, start) + changed + text.slice(end);
    }
  }
  return text;
}

/** Parses `text`; a StackError (with well-formed diagnostics) is a clean refusal, anything else a bug. */
function parseCleanly(text: string): void {
  try {
    parseYamlSource("stack.yaml", text);
  } catch (err) {
    if (!(err instanceof StackError)) throw err;
    for (const d of err.diagnostics) expectWellFormed(d);
  }
}

function expectWellFormed(d: Diagnostic): void {
  expect(d.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(d.line).toBeGreaterThanOrEqual(1);
  expect(d.column).toBeGreaterThanOrEqual(1);
  expect(d.message.length).toBeGreaterThan(0);
  expect(d.hint.length).toBeGreaterThan(0);
}

const dir = mkdtempSync(join(tmpdir(), "certform-stack-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The whole reader over a file holding `text`: diagnostics, never a throw (url: sources are not captured). */
async function readCleanly(text: string): Promise<void> {
  const file = join(dir, `s${n++}.yaml`);
  writeFileSync(file, text);
  const { diagnostics } = await readStack([file], { env: {}, capture: false, requireGatewayEnv: false });
  for (const d of diagnostics) expectWellFormed(d);
}

describe("the YAML stack loader, fuzzed", () => {
  it("the seed stack itself reads (so that mutations start from a real stack)", async () => {
    const file = join(dir, "seed.yaml");
    writeFileSync(file, SEED_STACK);
    const { diagnostics } = await readStack([file], { env: { CERTFORM_API_KEY: "x" }, capture: false, requireGatewayEnv: false });
    // The inline material is fake: errors there are expected, but nothing before it.
    expect(diagnostics.filter((d) => !/undecodable|base64|env-unset|key|certificate|jwk|trust|reference/.test(d.code)).map((d) => d.code)).toEqual([]);
  });

  it("random text: parsed or refused with a placed diagnostic", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), fc.array(fragment, { maxLength: 60 }).map((a) => a.join(""))), parseCleanly),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it("a real stack mutated: read to a result or to placed diagnostics", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
        const text = mutate(SEED_STACK, edits);
        parseCleanly(text);
        await readCleanly(text);
      }),
      { numRuns: fuzzRuns(500), timeout: 5_000 },
    );
  });

  it("alias bombs of any shape are refused before they are walked", async () => {
    const bomb = fc.record({ width: fc.integer({ min: 2, max: 12 }), depth: fc.integer({ min: 2, max: 12 }), inFlow: fc.boolean(), where: fc.constantFrom("variables", "extra", "certificates") });
    await fc.assert(
      fc.asyncProperty(bomb, async ({ width, depth, inFlow, where }) => {
        let body = `${where}:\n  l0: &l0 ${inFlow ? `[${Array(width).fill('"x"').join(", ")}]` : `\n${Array(width).fill("    - x").join("\n")}`}\n`;
        for (let i = 1; i < depth; i++) body += `  l${i}: &l${i} ${inFlow ? `[${Array(width).fill(`*l${i - 1}`).join(", ")}]` : `\n${Array(width).fill(`    - *l${i - 1}`).join("\n")}`}\n`;
        const text = `apiVersion: certform/v1\nkind: Stack\nname: payments\n${body}`;
        const expanded = width ** depth;
        try {
          parseYamlSource("stack.yaml", text);
          expect(expanded).toBeLessThanOrEqual(100_000);
        } catch (err) {
          if (!(err instanceof StackError)) throw err;
          const codes = err.diagnostics.map((d) => d.code);
          if (expanded > 100_000 || width * (depth - 1) > 100) expect(codes.some((c) => c === "yaml-too-large" || c === "yaml-too-many-aliases"), codes.join()).toBe(true);
        }
        await readCleanly(text);
      }),
      { numRuns: fuzzRuns(100), timeout: 5_000 },
    );
  });
});
