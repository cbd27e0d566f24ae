import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { REPO, runCommand, type CliResult } from "./cli.js";

export type RunResult = CliResult;

/** Runs a command (npm, node) as a user would in a shell, without a terminal. */
export const run = (command: string, args: string[], cwd: string): Promise<RunResult> => runCommand(command, args, { cwd });

// What never belongs in a copy of the repository to pack: installs, builds, local state.
const NOT_COPIED = new Set(["node_modules", "dist", ".git", ".certform", "cdktf.out", "coverage", ".package.json.prepack"]);

export interface Packed {
  /** The tarball. */
  tarball: string;
  /** The copy of the repository it was packed from (with `npm pack`'s prepack build in its dist/). */
  source: string;
  /** `npm pack --json`'s report: the files in the tarball. */
  files: string[];
  packOutput: RunResult;
}

/**
 * `npm pack` as a release does it (prepack builds, postpack restores package.json), in a copy of the repository:
 * the build must not replace this checkout's dist/ under tests that run beside this one.
 */
export async function packRepository(): Promise<Packed> {
  const source = mkdtempSync(join(tmpdir(), "certform-pack-src-"));
  cpSync(REPO, source, { recursive: true, filter: (f) => !NOT_COPIED.has(basename(f)) && !relative(REPO, f).startsWith(join("bench", ".cache")) });
  symlinkSync(join(REPO, "node_modules"), join(source, "node_modules"), "dir");
  const out = mkdtempSync(join(tmpdir(), "certform-pack-"));
  const packOutput = await run("npm", ["pack", "--json", "--pack-destination", out], source);
  if (packOutput.code !== 0) throw new Error(`npm pack failed:\n${packOutput.stdout}${packOutput.stderr}`);
  const [report] = JSON.parse(packOutput.stdout) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(out, report.filename), source, files: report.files.map((f) => f.path), packOutput };
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

/**
 * A project outside the repository that installs the tarball (and tsx, for TypeScript stacks) as dev dependencies
 * (unless `tsx: false`) with `npm ci --offline`: its lockfile is derived from ours (the same versions, which `npm ci` here put in npm's
 * cache), so the install needs no network and takes seconds. `manifest` is merged into its package.json.
 */
export async function installTarball(tarball: string, manifest: Record<string, unknown> = {}, opts: { tsx?: boolean } = {}): Promise<{ dir: string; install: RunResult }> {
  const dir = mkdtempSync(join(tmpdir(), "certform-user-"));
  const ours = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const packages = ours.packages;
  const own = packages[""]!;
  const tsx = packages["node_modules/tsx"]!.version!;

  // Node's lookup: the nearest node_modules/NAME from a package's folder up to the root.
  const locate = (from: string, name: string): string | undefined => {
    for (let at = from; ; at = at.includes("/node_modules/") ? at.slice(0, at.lastIndexOf("/node_modules/")) : "") {
      const path = `${at ? `${at}/` : ""}node_modules/${name}`;
      if (packages[path]) return path;
      if (!at) return undefined;
    }
  };
  const entries: Record<string, LockEntry> = {};
  const visit = (from: string, deps: Record<string, string> | undefined) => {
    for (const name of Object.keys(deps ?? {})) {
      const path = locate(from, name);
      if (!path || entries[path]) continue;
      const { dev: _d, devOptional: _o, peer: _p, ...entry } = packages[path]!;
      entries[path] = { ...entry, dev: true };
      visit(path, { ...entry.dependencies, ...entry.optionalDependencies });
    }
  };
  visit("", own.dependencies);
  if (opts.tsx !== false) visit("", { tsx });

  const file = basename(tarball);
  copyFileSync(tarball, join(dir, file));
  const root = { name: "infra", version: "1.0.0", devDependencies: { certform: `file:${file}`, ...(opts.tsx !== false ? { tsx } : {}) } };
  const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  const certform: LockEntry = { version: own.version, resolved: `file:${file}`, integrity, dev: true, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines, peerDependencies: own.peerDependencies, peerDependenciesMeta: own.peerDependenciesMeta };
  const lock = { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: { "": root, "node_modules/certform": certform, ...entries } };
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ ...root, ...manifest }, null, 2)}\n`);
  let install = await run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], dir);
  // A cache without some tarball (another cache directory, a cleaned one): fetch only what is missing.
  if (install.code !== 0 && /ENOTCACHED/.test(install.stderr)) install = await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], dir);
  if (install.code !== 0) throw new Error(`npm ci in ${dir} failed:\n${install.stdout}${install.stderr}`);
  return { dir, install };
}
