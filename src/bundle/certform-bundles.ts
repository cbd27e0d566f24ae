import type { BundleManifest } from "../model/bundle.js";
import { MANIFEST, verifyBundle } from "./bundle-file.js";
import { safeEntryName, showEntry, sizeGuard, UnsafeBundleError, type ReadLimits } from "./limits.js";
import { isZip, readZip } from "./zip-read.js";

// certform bundles as import reads them: one bundle (a ZIP, a JSON bundle or an unpacked directory), or an
// export of several environments: a directory or ZIP holding one bundle per environment, side by side
// (`export --env test --out all/test.zip`, `export --env prod --out all/prod.zip`).

export interface CertformBundle {
  /** Where in the input it is: "" for the input itself, else the member's path. */
  label: string;
  manifest: BundleManifest;
  files: Map<string, Buffer>;
}

/** A certform JSON bundle: its manifest (without contents) and its files, each path checked like a ZIP entry's. */
export function jsonBundle(data: Buffer, limits: ReadLimits): { manifest: string; files: Map<string, Buffer> } | undefined {
  const text = data.toString("utf8");
  if (!text.trimStart().startsWith("{")) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (doc.format !== "certform-bundle") return undefined;
  const { contents, ...manifest } = doc;
  const files = new Map<string, Buffer>();
  const guard = sizeGuard(limits);
  if (typeof contents === "object" && contents !== null) {
    for (const [name, value] of Object.entries(contents)) {
      const path = safeEntryName(name);
      const bytes = Buffer.from(String(value), "utf8");
      guard(path, bytes.length);
      files.set(path, bytes);
    }
  }
  return { manifest: JSON.stringify(manifest), files };
}

const MEMBER_FILE = /^[^/]+\.(zip|json)$/i;
const memberDirs = (paths: string[]) => new Set(paths.filter((p) => /^[^/]+\/manifest\.json$/.test(p)).map((p) => p.slice(0, p.indexOf("/") + 1)));

/** True when every entry of the input is a bundle of its own: a top-level ZIP or JSON file, or under a directory holding a manifest.json. */
export function looksLikeBundleSet(paths: string[]): boolean {
  const dirs = memberDirs(paths);
  return paths.length > 0 && paths.every((p) => MEMBER_FILE.test(p) || [...dirs].some((d) => p.startsWith(d)));
}

/**
 * Every bundle of an export of several environments, each checked as a bundle on its own (checksums
 * included). Unpacking the members shares one budget, so that a set of ZIPs unpacks to no more than one
 * input may.
 */
export function readBundleSet(files: ReadonlyMap<string, Buffer>, limits: ReadLimits): CertformBundle[] {
  let bytes = 0;
  let entries = 0;
  const budget = (): ReadLimits => ({ ...limits, maxTotalBytes: Math.max(0, limits.maxTotalBytes - bytes), maxEntries: Math.max(0, limits.maxEntries - entries) });
  const spend = (m: Map<string, Buffer>) => {
    for (const b of m.values()) bytes += b.length;
    entries += m.size;
  };
  const out: CertformBundle[] = [];
  const paths = [...files.keys()];
  for (const dir of [...memberDirs(paths)].sort()) {
    const inner = new Map(paths.filter((p) => p.startsWith(dir)).map((p) => [p.slice(dir.length), files.get(p)!]));
    out.push(member(dir.slice(0, -1), inner.get(MANIFEST)!.toString("utf8"), inner));
  }
  for (const path of paths.filter((p) => MEMBER_FILE.test(p)).sort()) {
    const data = files.get(path)!;
    if (isZip(data)) {
      const inner = readZip(data, budget());
      spend(inner);
      const manifest = inner.get(MANIFEST);
      if (!manifest) throw new UnsafeBundleError(`${showEntry(path)} has no ${MANIFEST}: not a certform bundle; nothing was written`, "not-a-bundle", path);
      out.push(member(path, manifest.toString("utf8"), inner));
      continue;
    }
    const json = jsonBundle(data, budget());
    if (!json) throw new UnsafeBundleError(`${showEntry(path)} is neither a ZIP nor a JSON bundle written by certform export; nothing was written`, "not-a-bundle", path);
    spend(json.files);
    out.push(member(path, json.manifest, json.files));
  }
  return out;
}

function member(label: string, manifestText: string, files: Map<string, Buffer>): CertformBundle {
  try {
    return { label, manifest: verifyBundle(manifestText, files), files };
  } catch (err) {
    if (err instanceof UnsafeBundleError) throw new UnsafeBundleError(`${label}: ${err.message}`, err.code, err.entry !== undefined ? `${label}/${err.entry}` : label);
    throw err;
  }
}
