import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Diagnostic } from "../../src/model/index.js";

/** Writes a stack directory (files by relative path) into a fresh temp dir and returns its path. */
export function writeStackDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "certform-stack-"));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

/** 1-based line and column of the `nth` occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, nth = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" not found ${nth} times`);
  }
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return { line, column: at - before.lastIndexOf("\n") };
}

export function only(diagnostics: readonly Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  if (found.length !== 1) {
    throw new Error(`expected one ${code}, got ${found.length}:\n${diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity}[${d.code}] ${d.message}`).join("\n")}`);
  }
  return found[0]!;
}

export const HEADER = `apiVersion: certform/v1
kind: Stack
name: payments
`;

export const ENVIRONMENTS = `environments:
  dev:
    gateway: { type: embedded, nodes: ["http://127.0.0.1:8081"] }
  prod:
    gateway: { type: embedded, nodes: ["http://127.0.0.1:8091", "http://127.0.0.1:8092"] }
`;
