import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { leaf } from "../../test/support/pki.js";
import { keyEchoes, secretOf } from "../../test/support/key-echoes.js";
import { ENVIRONMENTS, HEADER, only, positionOf, writeStackDir } from "../../test/support/stack.js";
import type { Diagnostic } from "../model/index.js";
import { readStack } from "./index.js";

// Every stack error names file:line:column, the address and the fix. Each case is a folder under
// test/fixtures/stack-errors/ (see its README.md): the stack's files and expected.json, what readStack reports.

const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures", "stack-errors");

interface Place {
  /** The file, by name within the case's folder; by default the diagnostic's own, or the case's only file. */
  file?: string;
  /** The text the place starts at, its nth occurrence in the file (default the first). */
  at?: string;
  nth?: number;
}

interface ExpectedDiagnostic extends Place {
  code: string;
  severity?: Diagnostic["severity"];
  address?: string;
  line?: number;
  /** Text the message contains; messageMatches: a regular expression it matches. */
  message?: string;
  messageMatches?: string;
  hint?: string;
  related?: Place[];
}

interface Expected {
  title: string;
  /** The environment variables ${env:…} sees; none by default. */
  env?: Record<string, string>;
  /** How many errors there are in all, where that matters. */
  errors?: number;
  /** Per code, in the order reported: as many as listed, each as described. */
  diagnostics?: ExpectedDiagnostic[];
  /** Codes that must not be reported. */
  absent?: string[];
  /** Text no diagnostic may contain (a key, a password). */
  notInDiagnostics?: string[];
}

const CASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const listing = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity}[${d.code}] ${d.message}`).join("\n");

describe("stack errors name file:line:column, the address and the fix", () => {
  for (const name of CASES) {
    const dir = join(FIXTURES, name);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected;
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

    it(`${name}: ${expected.title}`, async () => {
      const { diagnostics } = await readStack([dir], { env: expected.env ?? {}, capture: false });
      const all = listing(diagnostics);
      const position = (place: Place, fallback?: string) => {
        const file = place.file ?? fallback ?? (files.length === 1 ? files[0]! : undefined);
        if (!file) throw new Error(`${name}: a place in a case of several files needs "file"`);
        return positionOf(readFileSync(join(dir, file), "utf8"), place.at!, place.nth);
      };

      if (expected.errors !== undefined) expect(diagnostics.filter((d) => d.severity === "error"), all).toHaveLength(expected.errors);
      for (const code of expected.absent ?? []) expect(diagnostics.filter((d) => d.code === code), all).toEqual([]);
      for (const text of expected.notInDiagnostics ?? []) expect(JSON.stringify(diagnostics)).not.toContain(text);

      const wanted = expected.diagnostics ?? [];
      for (const code of new Set(wanted.map((w) => w.code))) {
        const found = diagnostics.filter((d) => d.code === code);
        const want = wanted.filter((w) => w.code === code);
        expect(found.length, `${code} in:\n${all}`).toBe(want.length);
        want.forEach((w, i) => {
          const d = found[i]!;
          if (w.file) expect(basename(d.file)).toBe(w.file);
          if (w.at) expect(d).toMatchObject(position(w, w.file));
          if (w.line !== undefined) expect(d.line).toBe(w.line);
          if (w.severity) expect(d.severity).toBe(w.severity);
          if (w.address) expect(d.address).toBe(w.address);
          if (w.message) expect(d.message).toContain(w.message);
          if (w.messageMatches) expect(d.message).toMatch(new RegExp(w.messageMatches));
          if (w.hint) expect(d.hint).toContain(w.hint);
          (w.related ?? []).forEach((r, j) => {
            const rel = d.related?.[j];
            expect(rel, `related[${j}] of ${code}`).toBeDefined();
            if (r.file) expect(basename(rel!.file)).toBe(r.file);
            if (r.at) expect(rel).toMatchObject(position(r, w.file ?? basename(d.file)));
          });
        });
      }
    });
  }
});

// Not a fixture folder: a case with a private key in it would commit a key. The key is made in the run.
describe("inline private keys", () => {
  it("an inline private key is refused with the way to give one, and not repeated", async () => {
    const { keyPem, key } = await leaf();
    const text = `${HEADER}${ENVIRONMENTS}certificates:
  api:
    certificate: { file: api.pem }
    key: { pem: ${JSON.stringify(keyPem)} }
`;
    const dir = writeStackDir({ "stack.yaml": text });
    const { diagnostics } = await readStack([join(dir, "stack.yaml")], { env: {}, capture: false });
    const d = only(diagnostics, "key-inline");
    expect(d).toMatchObject(positionOf(text, "-----BEGIN"));
    expect(d.hint).toContain("{ env: VAR }");
    expect(JSON.stringify(diagnostics)).not.toContain("PRIVATE KEY");
    expect(keyEchoes(JSON.stringify(diagnostics), secretOf(key))).toEqual([]);
  });
});

describe("interpolation", () => {
  it("${var}, ${environment} and ${env:…:-default} give each environment its values", async () => {
    const dir = writeStackDir({
      "stack.yaml": `${HEADER}${ENVIRONMENTS}variables:
  apiHost: { default: api.dev.example.com, environments: { prod: api.example.com } }
endpoints:
  billing: { url: "https://billing.\${environment}.internal:\${env:BILLING_PORT:-9443}", path: "/\${var:apiHost}" }
`,
    });
    const { diagnostics, state } = await readStack([join(dir, "stack.yaml")], { env: {}, capture: false });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const urls = state!.environments.map((e) => [e.name, e.endpoints[0]!.spec.url, e.endpoints[0]!.path]);
    expect(urls).toEqual([
      ["dev", "https://billing.dev.internal:9443", "/api.dev.example.com"],
      ["prod", "https://billing.prod.internal:9443", "/api.example.com"],
    ]);
  });
});
