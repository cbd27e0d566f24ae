#!/usr/bin/env node
// The packed package.json must not carry `prepare`: npm runs a dependency's `prepare` only for git and
// directory installs, but a tarball installed with `npm install ./certform-x.tgz` or `npm link` would try to
// run tsc there. `prepack` builds dist/ and strips the script; `postpack` puts package.json back, byte for byte.
//
//   node scripts/pack-manifest.mjs prepack    build, then strip `prepare` (the original is kept beside it)
//   node scripts/pack-manifest.mjs restore    put the original back (idempotent)
//
// If a pack fails after prepack, npm skips postpack: the next prepack (or restore) puts the original back first.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const manifest = join(root, "package.json");
const backup = join(root, ".package.json.prepack");

function restore() {
  if (existsSync(backup)) renameSync(backup, manifest);
}

const command = process.argv[2];
if (command === "restore") {
  restore();
} else if (command === "prepack") {
  restore();
  const build = spawnSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const original = readFileSync(manifest, "utf8");
  const pkg = JSON.parse(original);
  delete pkg.scripts.prepare;
  writeFileSync(backup, original);
  try {
    writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  } catch (err) {
    restore();
    throw err;
  }
} else {
  process.stderr.write("usage: node scripts/pack-manifest.mjs prepack|restore\n");
  process.exit(1);
}
