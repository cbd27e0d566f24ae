import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { CERTFORM_VERSION } from "./version.js";

/** The npm scripts `init` adds: the commands a team runs by hand and in CI, on ./stacks. */
export const INIT_SCRIPTS: Readonly<Record<string, string>> = {
  validate: "certform validate",
  plan: "certform plan",
  apply: "certform apply",
};

export type PackageJsonOutcome = "created" | "updated" | "kept" | { error: string };

/**
 * Creates `file`, or adds to an existing one the scripts it lacks (a script of the same name is the user's and
 * stays) and certform as a dev dependency unless it is a dependency already. Everything else is left as it was,
 * in its order and indentation.
 */
export function mergePackageJson(file: string, name: string): PackageJsonOutcome {
  if (!existsSync(file)) {
    // npm package names are lowercase.
    const pkg = { name: name.toLowerCase(), private: true, scripts: { ...INIT_SCRIPTS }, devDependencies: { certform: `^${CERTFORM_VERSION}` } };
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    return "created";
  }
  const text = readFileSync(file, "utf8");
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    return { error: `${file} is not JSON (${(err as Error).message}); fix it and run init again` };
  }
  if (pkg === null || typeof pkg !== "object" || Array.isArray(pkg)) return { error: `${file} does not hold a JSON object; fix it and run init again` };
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  const missing = Object.entries(INIT_SCRIPTS).filter(([k]) => !(k in scripts));
  const hasCertform = [pkg.dependencies, pkg.devDependencies].some((d) => isRecord(d) && "certform" in d);
  if (missing.length === 0 && hasCertform) return "kept";
  pkg.scripts = { ...scripts, ...Object.fromEntries(missing) };
  if (!hasCertform) pkg.devDependencies = { ...(isRecord(pkg.devDependencies) ? pkg.devDependencies : {}), certform: `^${CERTFORM_VERSION}` };
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? 2;
  writeFileSync(file, `${JSON.stringify(pkg, null, indent)}${text.endsWith("\n") ? "\n" : ""}`);
  return "updated";
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
