import type { ResourceKind } from "../../model/index.js";

// Stack files are imported by tsx in a namespace of their own, so the constructs they create come from a
// different instance of this module than the loader's: `instanceof` does not hold across the two. Both sides
// agree on registered symbols instead.

/** What a certform construct declares; read by the loader (src/stack/typescript/walk.ts). */
export const DECLARATION: unique symbol = Symbol.for("certform.declaration") as never;
const SESSION = Symbol.for("certform.load-session");

export type DeclarationKind = "stack" | "environments" | ResourceKind;

/** Where a construct was created: an absolute file path and 1-based line and column. */
export interface SourceSite {
  file: string;
  line: number;
  column: number;
}

export interface Declaration {
  kind: DeclarationKind;
  /** The name in the stack: the `name` prop, else the construct id. */
  name: string;
  /** The props as written; references to other constructs are resolved when the tree is read. */
  props: Readonly<Record<string, unknown>>;
  site?: SourceSite;
}

/** The part of a construct's `node` that certform reads, so that either side's constructs can be walked. */
export interface ConstructNode {
  readonly id: string;
  readonly path: string;
  readonly scope?: { readonly node: ConstructNode } | undefined;
  readonly children: readonly { readonly node: ConstructNode }[];
  findAll(): { readonly node: ConstructNode }[];
}

export interface DeclaredConstruct {
  readonly node: ConstructNode;
  readonly [DECLARATION]: Declaration;
}

export function declarationOf(value: unknown): Declaration | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const d = (value as Partial<DeclaredConstruct>)[DECLARATION];
  return d && typeof d === "object" && typeof d.kind === "string" ? d : undefined;
}

/**
 * While certform imports a stack file: the certform stacks it creates, and whether `App.synth()` is held back
 * (validate and plan read the tree; only `certform synth` writes Terraform JSON).
 */
export interface LoadSession {
  stacks: DeclaredConstruct[];
  holdSynth: boolean;
}

type SessionHolder = { [SESSION]?: LoadSession };

export function currentSession(): LoadSession | undefined {
  return (globalThis as SessionHolder)[SESSION];
}

export function setSession(session: LoadSession | undefined): void {
  if (session) (globalThis as SessionHolder)[SESSION] = session;
  else delete (globalThis as SessionHolder)[SESSION];
}
