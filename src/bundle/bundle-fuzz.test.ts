import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzRuns } from "../../test/support/fuzz.js";
import { makePki, type Pki } from "../../test/support/pki.js";
import { rawZip } from "../../test/support/raw-zip.js";
import type { BundleManifest } from "../model/bundle.js";
import { parseYamlSource } from "../stack/yaml-source.js";
import { bundleJson, bundleZip, finishManifest } from "./bundle-file.js";
import { ImportError } from "./import-model.js";
import { importBundle } from "./import.js";
import { DEFAULT_LIMITS, UnsafeBundleError } from "./limits.js";
import { readZip } from "./zip-read.js";

// Whatever bytes are given to import, the reader answers with a stack or a clean refusal (UnsafeBundleError or
// ImportError, which the CLI prints with its code and fix): never another exception, never a hang, and never
// a file written when it refuses. Bounded runs; CERTFORM_FUZZ_RUNS multiplies them for a deeper search.

let pki: Pki;
let zip: Buffer;
let json: Buffer;
const work = mkdtempSync(join(tmpdir(), "certform-bundle-fuzz-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com"] });
  const leaf = pki.leaf.certificate;
  const common = { owned: true, labels: {}, protect: false };
  const files = new Map([
    ["certificates/api.pem", pki.chainPem],
    ["trusted/root.pem", pki.root.pem],
  ]);
  const manifest: BundleManifest = finishManifest(
    {
      format: "certform-bundle",
      format_version: "1",
      certform_version: "0.1.0",
      source: { stack: "shop", environment: "test", gateway: "embedded", scope: "owned" },
      objects: [
        {
          kind: "certificates",
          name: "api",
          address: "certificates.api",
          objectName: "api",
          ...common,
          fingerprint256: leaf.fingerprint256,
          chain: pki.chain.map((c) => c.fingerprint256),
          keyFingerprint256: createHash("sha256").update(leaf.publicKey.export({ type: "spki", format: "der" })).digest("hex"),
          subject: leaf.subject,
          issuer: leaf.issuer,
          notBefore: new Date(leaf.validFrom).toISOString(),
          notAfter: new Date(leaf.validTo).toISOString(),
          hosts: ["api.example.com"],
          default: false,
          generated: false,
          file: "certificates/api.pem",
          key: { status: "missing", reason: "not exported" },
        },
        { kind: "trustedCertificates", name: "root", address: "trustedCertificates.root", objectName: "root", ...common, alias: "root", fingerprint256: pki.root.certificate.fingerprint256, subject: pki.root.certificate.subject, issuer: pki.root.certificate.issuer, notAfter: new Date(pki.root.certificate.validTo).toISOString(), file: "trusted/root.pem" },
      ],
      links: [],
      missing: [{ what: "key of certificates.api", address: "certificates.api", reason: "not exported" }],
    },
    files,
  );
  zip = await bundleZip(manifest, files);
  json = Buffer.from(bundleJson(manifest, files));
});

let n = 0;
/** Imports `bytes` as a file named `name`: a result, or a clean refusal that wrote nothing. */
function importCleanly(bytes: Uint8Array, name: string): "imported" | "refused" {
  const dir = mkdtempSync(join(work, `r${n++}-`));
  const input = join(dir, name);
  writeFileSync(input, bytes);
  const out = join(dir, "out");
  try {
    const result = importBundle({ input, environment: "prod", outDir: out, mappings: [["test", "prod"]], nodes: [], gatewayType: "embedded", version: "0.1.0" });
    // What the bundle said lands in YAML: it must stay data, never become syntax (or a second key).
    parseYamlSource(result.stackFile, readFileSync(result.stackFile, "utf8"));
    return "imported";
  } catch (err) {
    if (!(err instanceof UnsafeBundleError || err instanceof ImportError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([name]);
    return "refused";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Mutation = { kind: "flip"; at: number; bit: number } | { kind: "set"; at: number; value: number } | { kind: "cut"; at: number } | { kind: "insert"; at: number; bytes: Uint8Array } | { kind: "u32"; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  // Sizes, offsets and counts pushed to their extremes.
  fc.record({ kind: fc.constant("u32" as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0xffff, 0x10000) }),
);

function mutate(data: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(data);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === "flip") out[at]! ^= 1 << m.bit;
    else if (m.kind === "set") out[at] = m.value;
    else if (m.kind === "cut") out = out.subarray(0, at);
    else if (m.kind === "insert") out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    else if (at + 4 <= out.length) out.writeUInt32LE(m.value, at);
  }
  return out;
}

describe("the bundle reader, fuzzed", () => {
  it("the unchanged bundles import (so that mutations start from real ones)", () => {
    expect(importCleanly(zip, "b.zip")).toBe("imported");
    expect(importCleanly(json, "b.json")).toBe("imported");
  });

  it("random bytes, with or without a ZIP signature: a clean refusal", () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.concat([Buffer.from("PK\x03\x04"), b])), fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.concat([b, Buffer.from("PK\x05\x06"), Buffer.alloc(18)])));
    fc.assert(
      fc.property(bytes, (b) => {
        try {
          readZip(Buffer.from(b), DEFAULT_LIMITS);
        } catch (err) {
          if (!(err instanceof UnsafeBundleError)) throw err;
        }
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it("a real ZIP bundle mutated: imported or refused cleanly, nothing written on refusal", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => {
        importCleanly(mutate(zip, ms), "b.zip");
      }),
      { numRuns: fuzzRuns(400) },
    );
  });

  it("a ZIP of hostile entries (names, modes, lying sizes): refused cleanly", () => {
    const entry = fc.record({
      name: fc.oneof(fc.constantFrom("manifest.json", "certificates/api.pem", "../x", "/abs", "a\\b", "a/../../b", "", ".", "./manifest.json", "C:x", "a\u0000b", "é/ü.pem"), fc.string({ maxLength: 20 })),
      data: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
      mode: fc.option(fc.constantFrom(0o100644, 0o120777, 0o040755, 0o020644, 0), { nil: undefined }),
      claimSize: fc.option(fc.constantFrom(0, 1, 100, 0xffffffff, DEFAULT_LIMITS.maxEntryBytes + 1), { nil: undefined }),
      stored: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (entries) => {
        importCleanly(rawZip(entries.map((e) => ({ name: e.name, data: e.data, stored: e.stored, ...(e.mode !== undefined ? { mode: e.mode } : {}), ...(e.claimSize !== undefined ? { claimSize: e.claimSize } : {}) }))), "b.zip");
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("a JSON bundle whose manifest values are replaced by any JSON: imported or refused cleanly", () => {
    const doc = JSON.parse(json.toString()) as Record<string, unknown>;
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      if (path[0] === "contents") return;
      paths.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(doc, []);
    const change = fc.record({ path: fc.constantFrom(...paths.filter((p) => p.length > 0)), value: fc.jsonValue({ maxDepth: 2 }) });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
        const copy = structuredClone(doc);
        for (const { path, value } of changes) {
          let at: any = copy;
          for (const k of path.slice(0, -1)) at = at?.[k];
          if (at && typeof at === "object") at[path.at(-1)!] = value;
        }
        importCleanly(Buffer.from(JSON.stringify(copy)), "b.json");
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("a real JSON bundle mutated: imported or refused cleanly", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => {
        importCleanly(mutate(json, ms), "b.json");
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
