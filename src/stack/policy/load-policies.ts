import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import type { PolicyFileValue } from "../../model/plan.js";
import { formatPosition, PolicyFileSchema, StackError, type Diagnostic, type Policy } from "../../model/index.js";
import { locate } from "../locate.js";
import type { LoadedStack, Origin } from "../merge.js";
import { schemaIssuesToDiagnostics } from "../schema-issues.js";
import { readStackFile } from "../stack-files.js";
import { parseYamlSource } from "../yaml-source.js";

/** A named rule and where it was declared: the stack's policies section or a --policy file. */
export interface PolicyDeclaration {
  name: string;
  policy: Policy;
  origin: Origin;
}

/**
 * The stack's own policies and those of every --policy file, as one list. A name declared twice (in the
 * stack and a file, or in two files) is an error naming both places: which of the two rules was meant
 * cannot be guessed.
 */
export function loadPolicies(loaded: LoadedStack, files: readonly string[]): { policies: PolicyDeclaration[]; files: PolicyFileValue[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const read: PolicyFileValue[] = [];
  const byName = new Map<string, PolicyDeclaration>();
  const add = (name: string, policy: Policy, origin: Origin) => {
    const earlier = byName.get(name);
    if (!earlier) {
      byName.set(name, { name, policy, origin });
      return;
    }
    const there = locate(earlier.origin.src, earlier.origin.path, "key");
    const here = locate(origin.src, origin.path, "key");
    diagnostics.push({
      severity: "error",
      code: "policy-duplicate",
      ...here,
      address: `policies.${name}`,
      message: `policy ${name} is declared in ${here.file} and in ${there.file} (${formatPosition(there)})`,
      hint: "rename one of them, or keep the rule in one file only",
      related: [there],
    });
  };
  for (const [name, policy] of Object.entries(loaded.stack.policies ?? {})) add(name, policy, loaded.origins.get(`policies.${name}`)!);
  for (const file of files) {
    const one = readPolicyFile(file);
    diagnostics.push(...one.diagnostics);
    if (one.sha256) read.push({ path: file, sha256: one.sha256 });
    const origin = one.origin;
    if (origin) for (const [name, policy] of Object.entries(one.policies)) add(name, policy, { ...origin, path: ["policies", name] });
  }
  return { policies: [...byName.values()], files: read, diagnostics };
}

/**
 * One --policy file: its rules, and the SHA-256 of the text they were read from, which a saved plan records
 * so that apply can tell the file changed since.
 */
function readPolicyFile(file: string): { policies: Record<string, Policy>; origin?: Omit<Origin, "path">; sha256?: string; diagnostics: Diagnostic[] } {
  try {
    const { name, text } = readStackFile(file);
    // The text is the file's bytes read as UTF-8: for a UTF-8 file (any YAML file) the hash sha256sum prints.
    const sha256 = createHash("sha256").update(text, "utf8").digest("hex");
    const src = parseYamlSource(name, text);
    const parsed = PolicyFileSchema.safeParse(src.value);
    if (!parsed.success) return { policies: {}, sha256, diagnostics: schemaIssuesToDiagnostics(PolicyFileSchema, src, parsed.error.issues) };
    return { policies: parsed.data.policies, origin: { src, baseDir: dirname(resolve(file)) }, sha256, diagnostics: [] };
  } catch (err) {
    if (err instanceof StackError) return { policies: {}, diagnostics: err.diagnostics };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
      return { policies: {}, diagnostics: [{ severity: "error", code: "policy-file-unreadable", file, line: 1, column: 1, message: `--policy ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a file" : "permission denied"}`, hint: "give the path of a YAML file holding a policies: section" }] };
    }
    throw err;
  }
}
