import { RESOURCE_KINDS, type Diagnostic, type StackFile } from "../model/index.js";
import { formatPosition } from "../model/index.js";
import { locate } from "./locate.js";
import type { PathSegment, YamlSource } from "./yaml-source.js";

/** Where a declaration came from: its file, the directory its relative paths start from, and its path there. */
export interface Origin {
  src: YamlSource;
  baseDir: string;
  path: PathSegment[];
}

export interface ParsedStackFile {
  src: YamlSource;
  baseDir: string;
  value: StackFile;
}

/** A stack merged from its files, remembering where every declaration came from. */
export interface LoadedStack {
  name: string;
  stack: StackFile;
  /** Keyed by "certificates.api", "environments.dev", "variables.apiHost", "policies.strong-keys", "alerts", "stack". */
  origins: Map<string, Origin>;
}

const SINGLE_FILE_SECTIONS = ["variables", "environments", "alerts"] as const;
const MERGED_SECTIONS = [...RESOURCE_KINDS, "variables", "environments", "policies"] as const;

export function mergeStackFiles(files: readonly ParsedStackFile[]): { loaded: LoadedStack; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const origins = new Map<string, Origin>();
  const first = files[0]!;
  const merged: Record<string, unknown> = { apiVersion: first.value.apiVersion, kind: first.value.kind, name: first.value.name };
  if (first.value.description !== undefined) merged.description = first.value.description;
  origins.set("stack", { src: first.src, baseDir: first.baseDir, path: [] });

  const sectionFile = new Map<string, ParsedStackFile>();
  for (const f of files) {
    if (f.value.name !== first.value.name) {
      const at = locate(f.src, ["name"]);
      diagnostics.push({
        severity: "error",
        code: "stack-name-mismatch",
        ...at,
        message: `this file belongs to stack "${f.value.name}" but ${formatPosition(locate(first.src, ["name"]))} names the stack "${first.value.name}"`,
        hint: "every file of a stack carries the same name; split different stacks into different directories",
        related: [locate(first.src, ["name"])],
      });
      continue;
    }
    for (const section of SINGLE_FILE_SECTIONS) {
      if (f.value[section] === undefined) continue;
      const earlier = sectionFile.get(section);
      if (earlier) {
        const there = locate(earlier.src, [section], "key");
        diagnostics.push({
          severity: "error",
          code: "section-duplicate",
          ...locate(f.src, [section], "key"),
          message: `"${section}" is declared in two files; the other is at ${formatPosition(there)}`,
          hint: `declare ${section} in one file of the stack only`,
          related: [there],
        });
        continue;
      }
      sectionFile.set(section, f);
    }
    if (f.value.alerts !== undefined && sectionFile.get("alerts") === f) {
      merged.alerts = f.value.alerts;
      origins.set("alerts", { src: f.src, baseDir: f.baseDir, path: ["alerts"] });
    }
    for (const section of MERGED_SECTIONS) {
      const entries = f.value[section] as Record<string, unknown> | undefined;
      if (!entries) continue;
      if ((section === "variables" || section === "environments") && sectionFile.get(section) !== f) continue;
      const target = (merged[section] ??= {}) as Record<string, unknown>;
      for (const [name, spec] of Object.entries(entries)) {
        const key = `${section}.${name}`;
        const earlier = origins.get(key);
        if (earlier) {
          const there = locate(earlier.src, earlier.path, "key");
          diagnostics.push({
            severity: "error",
            code: "duplicate-name",
            ...locate(f.src, [section, name], "key"),
            address: key,
            message: `${key} is declared twice: here and at ${formatPosition(there)}`,
            hint: "rename one of them or remove the duplicate",
            related: [there],
          });
          continue;
        }
        target[name] = spec;
        origins.set(key, { src: f.src, baseDir: f.baseDir, path: [section, name] });
      }
    }
  }
  return { loaded: { name: first.value.name, stack: merged as StackFile, origins }, diagnostics };
}
