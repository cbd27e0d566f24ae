import { readFile } from "node:fs/promises";
import { writeAtomically } from "./files.js";

// What HAProxy's runtime API cannot hold, kept next to the files it loads: ownership labels, the settings
// certform compares (default, generated), trusted certificates (HAProxy only knows the CA files they end up
// in), endpoints (backends are configuration) and trust bindings. HAProxy's own answers stay the truth for
// what is served: an entry here whose object HAProxy does not hold is not reported as live.

export interface StoredCertificate {
  labels: Record<string, string>;
  default: boolean;
  generated: boolean;
}
export interface StoredTrusted {
  labels: Record<string, string>;
  certificate: string;
}
export interface StoredEndpoint {
  labels: Record<string, string>;
  url: string;
  path: string;
}
export interface StoredTrust {
  labels: Record<string, string>;
  alias: string;
  endpoint?: string;
  scope?: string;
}

export interface StateFile {
  version: 1;
  certificates: Record<string, StoredCertificate>;
  trusted: Record<string, StoredTrusted>;
  endpoints: Record<string, StoredEndpoint>;
  trust: Record<string, StoredTrust>;
}

export const emptyState = (): StateFile => ({ version: 1, certificates: {}, trusted: {}, endpoints: {}, trust: {} });

/** The state file's text; empty when there is none yet. */
export async function readStateText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}

export function parseState(text: string): StateFile {
  if (text.trim() === "") return emptyState();
  const parsed = JSON.parse(text) as Partial<StateFile>;
  // Maps built without a prototype: an object named "__proto__" must be an object like any other.
  const map = <T>(v: Record<string, T> | undefined): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, v ?? {});
  return { version: 1, certificates: map(parsed.certificates), trusted: map(parsed.trusted), endpoints: map(parsed.endpoints), trust: map(parsed.trust) };
}

export const writeState = (file: string, state: StateFile): Promise<void> => writeAtomically(file, `${JSON.stringify(state, null, 2)}\n`);
