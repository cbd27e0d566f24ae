// The estate the scale benchmarks run on: N EC P-256 server certificates, each a leaf issued by one
// intermediate (the file holds leaf then intermediate) with its key in its own file, declared in one stack
// with two environments of two embedded nodes each. Generated once per N under bench/.cache/ (gitignored:
// it holds private keys) and reused, since making 10,000 takes longer than the measurements.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fastIntermediate, fastLeaf, fastRoot } from "./fast-pki.js";

export const CACHE = join(dirname(fileURLToPath(import.meta.url)), ".cache");

export interface ScaleFixture {
  dir: string;
  count: number;
  /** Relative to dir: leaf + intermediate PEM, and the key, of certificate i. */
  chainFile: (i: number) => string;
  keyFile: (i: number) => string;
}

const chainFile = (i: number) => `certs/c${i}.pem`;
const keyFile = (i: number) => `certs/c${i}.key`;

/** The certificates of N, generated when missing. */
export async function scaleFixture(count: number, log: (line: string) => void = () => {}): Promise<ScaleFixture> {
  const dir = join(CACHE, `estate-${count}`);
  const fixture = { dir, count, chainFile, keyFile };
  if (existsSync(join(dir, "done"))) return fixture;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "certs"), { recursive: true, mode: 0o700 });
  const started = performance.now();
  const root = fastRoot("certform bench root");
  const intermediate = fastIntermediate(root, "certform bench intermediate");
  writeFileSync(join(tmp, "root.pem"), root.pem);
  for (let i = 0; i < count; i++) {
    const leaf = fastLeaf(intermediate, `host-${i}.bench.example.com`, 200);
    writeFileSync(join(tmp, chainFile(i)), leaf.pem + intermediate.pem);
    writeFileSync(join(tmp, keyFile(i)), leaf.keyPem, { mode: 0o600 });
    if ((i + 1) % 2000 === 0) log(`  generated ${i + 1}/${count} certificates`);
  }
  writeFileSync(join(tmp, "done"), `${Math.round(performance.now() - started)} ms\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return fixture;
}

/**
 * The stack text: every certificate in both environments (`dev`, `prod`), each environment with the
 * given node URLs.
 */
export function scaleStack(fixture: ScaleFixture, nodes: { dev: string[]; prod: string[] }, name = "scale"): string {
  const lines = [
    "apiVersion: certform/v1",
    "kind: Stack",
    `name: ${name}`,
    "environments:",
    `  dev: { gateway: { type: embedded, nodes: ${JSON.stringify(nodes.dev)} } }`,
    `  prod: { gateway: { type: embedded, nodes: ${JSON.stringify(nodes.prod)} } }`,
    "certificates:",
  ];
  for (let i = 0; i < fixture.count; i++) lines.push(`  c${i}: { certificate: { file: ${chainFile(i)} }, key: { file: ${keyFile(i)} } }`);
  return `${lines.join("\n")}\n`;
}

/** Writes the stack beside the certificates and returns its path. */
export function writeScaleStack(fixture: ScaleFixture, nodes: { dev: string[]; prod: string[] }, file = "stack.yaml"): string {
  const path = join(fixture.dir, file);
  writeFileSync(path, scaleStack(fixture, nodes));
  return path;
}

export const readText = (path: string) => readFileSync(path, "utf8");
