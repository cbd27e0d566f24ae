import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { StackError, type Diagnostic } from "../../model/index.js";
import { setSession, type DeclaredConstruct, type LoadSession } from "./brand.js";
import { userFrame } from "./site.js";
import type { LoadResult } from "../load-result.js";
import type { TypeScriptEntry } from "./entry.js";
import { readConstructStack } from "./walk.js";
import { runStackFile, TsxMissing } from "./run-file.js";
import { missingImportSite } from "./missing-import.js";

const LOCK = Symbol.for("certform.load-lock");
type LockHolder = { [LOCK]?: Promise<unknown> };

export interface ImportedStacks {
  stacks: DeclaredConstruct[];
  diagnostics: Diagnostic[];
}

/**
 * Runs a stack file in this process with tsx and returns the certform stacks it created. certform's
 * `App.synth()` is held back while the file runs. Unless `forSynth`, cdktf's output directory is a scratch one
 * while it runs (a cdktf App creates it, and a plain cdktf App's synth writes there), so that reading a stack
 * never leaves a cdktf.out behind.
 */
export async function importStackFile(file: string, opts: { forSynth: boolean }): Promise<ImportedStacks> {
  // The session is global (the file's modules are a separate instance of ours): one import at a time.
  const holder = globalThis as LockHolder;
  const previous = holder[LOCK] ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  holder[LOCK] = previous.then(() => mine);
  await previous;

  const session: LoadSession = { stacks: [], holdSynth: true };
  const outdir = process.env.CDKTF_OUTDIR;
  const scratch = opts.forSynth ? undefined : mkdtempSync(join(tmpdir(), "certform-cdktf-"));
  if (scratch) process.env.CDKTF_OUTDIR = scratch;
  setSession(session);
  // Sites and errors are read from stack traces, which must name the .ts lines: Node maps them through tsx's
  // source maps unless a test runner (or anything else) installed its own Error.prepareStackTrace.
  process.setSourceMapsEnabled(true);
  const prepare = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
  delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  try {
    // A fresh namespace each time: the file runs again, with whatever changed since.
    await guarded(() => runStackFile(file));
    return { stacks: session.stacks, diagnostics: [] };
  } catch (err) {
    return { stacks: [], diagnostics: loadFailure(file, err) };
  } finally {
    if (prepare) Object.defineProperty(Error, "prepareStackTrace", prepare);
    setSession(undefined);
    if (scratch) {
      if (outdir === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = outdir;
      rmSync(scratch, { recursive: true, force: true });
    }
    release();
  }
}

export const shown = (file: string) => relative(process.cwd(), file) || file;

/** Thrown in place of what would otherwise end certform silently while a stack file runs. */
class StackFileEnded extends Error {
  override readonly name = "StackFileEnded";
}

/**
 * Runs the stack file so that neither of its two silent ways out ends certform: `process.exit()` is turned into
 * an exception at the caller's line, and a top-level await that never settles (Node would exit with code 13
 * and no word once nothing else is pending) into an error when the event loop runs empty.
 */
async function guarded(run: () => Promise<void>): Promise<void> {
  const exit = process.exit;
  let unsettled!: (err: Error) => void;
  const stalled = new Promise<never>((_, reject) => (unsettled = reject));
  const onEmpty = () => unsettled(new StackFileEnded("its top-level await never settled (nothing was left to wait for)"));
  process.exit = ((code?: number | string | null) => {
    throw new StackFileEnded(`it called process.exit(${code ?? ""})`);
  }) as typeof process.exit;
  process.once("beforeExit", onEmpty);
  try {
    await Promise.race([run(), stalled]);
  } finally {
    process.exit = exit;
    process.off("beforeExit", onEmpty);
  }
}

/** An exception while the file ran, at the user's line that caused it. */
function loadFailure(file: string, err: unknown): Diagnostic[] {
  if (err instanceof StackError || (err instanceof Error && err.name === "StackError" && Array.isArray((err as StackError).diagnostics))) {
    return (err as StackError).diagnostics;
  }
  if (err instanceof TsxMissing) {
    return [{ severity: "error", code: "tsx-missing", file: shown(file), line: 1, column: 1, message: `${err.message}, and ${shown(file)} is a TypeScript stack`, hint: "install it in your project: npm install --save-dev tsx (certform's optional peer dependency for TypeScript stacks)" }];
  }
  const text = err instanceof Error ? err.message : String(err);
  // esbuild, through tsx: "Transform failed with 1 error:\n/abs/main.ts:3:10: ERROR: Expected …"
  const syntax = /(\S+\.[cm]?tsx?):(\d+):(\d+): ERROR: (.*)/.exec(text);
  if (syntax) {
    return [{ severity: "error", code: "typescript-syntax", file: shown(syntax[1]!), line: Number(syntax[2]), column: Number(syntax[3]) + 1, message: `TypeScript syntax error: ${syntax[4]}`, hint: "fix the syntax at this place (npx tsc --noEmit shows every error)" }];
  }
  const missing = missingImportSite(err);
  const site = missing ?? (err instanceof Error ? userFrame(err.stack) : undefined);
  const at = site ? { file: shown(site.file), line: site.line, column: site.column } : { file: shown(file), line: 1, column: 1 };
  return [{
    severity: "error",
    code: "typescript-error",
    ...at,
    message: err instanceof StackFileEnded ? `running ${shown(file)} failed: ${text}` : `running ${shown(file)} threw: ${text.split("\n")[0]}`,
    hint: missing
      ? "the stack imports a module that cannot be found: fix the path (relative to this file), or install the package in the stack's project"
      : err instanceof StackFileEnded
      ? "a stack file declares constructs and returns: certform goes on from there, so don't call process.exit, and let every top-level await settle"
      : /There is already a Construct with name/.test(text)
      ? "construct ids are unique among siblings: give one another id, and a name prop if its name in the stack must stay (e.g. { name: \"billing\" })"
      : "fix the error at this place; certform runs the stack file to read its constructs",
  }];
}

/** Loads a TypeScript stack: runs the file, finds its one CertformStack and reads it like a stack file. */
export async function loadTypeScriptStack(entry: TypeScriptEntry): Promise<LoadResult> {
  const { stacks, diagnostics } = await importStackFile(entry.file, { forSynth: false });
  if (diagnostics.length > 0) return { diagnostics };
  const file = shown(entry.file);
  if (stacks.length !== 1) {
    const names = stacks.map((s) => s.node.id);
    return {
      diagnostics: [{
        severity: "error",
        code: stacks.length === 0 ? "no-certform-stack" : "several-certform-stacks",
        file,
        line: 1,
        column: 1,
        message: stacks.length === 0 ? `${file} creates no CertformStack` : `${file} creates ${stacks.length} certform stacks (${names.join(", ")}); certform plans one stack at a time`,
        hint: stacks.length === 0
          ? 'create one: new CertformStack(app, "payments", { … }), and declare environments and resources in it'
          : "give each CertformStack a file of its own (they may share code through imports)",
      }],
    };
  }
  return readConstructStack(stacks[0]!, { fallbackFile: file });
}
