import { createHash } from "node:crypto";
import { BundleManifestSchema, type BundleManifest } from "../model/bundle.js";
import type { ManifestBody } from "./collect.js";
import { showEntry, UnsafeBundleError } from "./limits.js";
import { writeZip } from "./zip-write.js";

export const MANIFEST = "manifest.json";

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** The manifest with the checksum of every file, sorted by path. */
export function finishManifest(body: ManifestBody, files: ReadonlyMap<string, string>): BundleManifest {
  assertNoPlainKey(files);
  const list = [...files.keys()].sort().map((path) => {
    const bytes = Buffer.from(files.get(path)!, "utf8");
    return { path, sha256: sha256(bytes), size: bytes.length };
  });
  return { ...body, files: list };
}

/** A last guard before anything leaves: a key in a bundle is only ever an encrypted PKCS#8 block. */
export function assertNoPlainKey(files: ReadonlyMap<string, string>): void {
  for (const [path, text] of files) {
    for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----/g)) {
      if (m[1] !== "ENCRYPTED PRIVATE KEY") throw new Error(`refusing to write ${path}: it would hold an unencrypted private key`);
    }
  }
}

/** The ZIP bundle: manifest.json first, then every file by path; the same state gives the same bytes. */
export function bundleZip(manifest: BundleManifest, files: ReadonlyMap<string, string>): Promise<Buffer> {
  const entries: [string, Buffer][] = [[MANIFEST, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8")]];
  for (const f of manifest.files) entries.push([f.path, Buffer.from(files.get(f.path)!, "utf8")]);
  return writeZip(entries);
}

/** The JSON bundle: the manifest with every file's text under `contents`. */
export function bundleJson(manifest: BundleManifest, files: ReadonlyMap<string, string>): string {
  const contents = Object.fromEntries(manifest.files.map((f) => [f.path, files.get(f.path)!]));
  return `${JSON.stringify({ ...manifest, contents }, null, 2)}\n`;
}

/** Parses and checks a manifest: the schema, the format version, then every file's checksum. */
export function verifyBundle(manifestText: string, files: ReadonlyMap<string, Buffer>): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(manifestText);
  } catch {
    throw new UnsafeBundleError(`${MANIFEST} is not valid JSON; nothing was written`, "not-a-bundle", MANIFEST);
  }
  const version = (raw as { format_version?: unknown } | null)?.format_version;
  if (typeof version === "string" && version !== "1") throw new UnsafeBundleError(`the bundle has format version ${showEntry(version)}; this certform reads version 1 (upgrade certform)`, "not-a-bundle", MANIFEST);
  const parsed = BundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnsafeBundleError(`${MANIFEST} does not follow the bundle format at ${issue.path.join(".") || "(top)"}: ${issue.message}; nothing was written`, "not-a-bundle", MANIFEST);
  }
  const manifest = parsed.data;
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const data = files.get(f.path);
    if (!data) throw new UnsafeBundleError(`${f.path} is listed in ${MANIFEST} but missing from the bundle; nothing was written`, "checksum-mismatch", f.path);
    if (data.length !== f.size || sha256(data) !== f.sha256) throw new UnsafeBundleError(`${f.path} does not match its SHA-256 checksum in ${MANIFEST}: the bundle was changed or damaged; nothing was written`, "checksum-mismatch", f.path);
  }
  for (const path of files.keys()) {
    if (path !== MANIFEST && !listed.has(path)) throw new UnsafeBundleError(`${showEntry(path)} is in the bundle but not listed in ${MANIFEST}; nothing was written`, "checksum-mismatch", path);
  }
  return manifest;
}
