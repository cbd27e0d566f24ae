import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { StackError, type Diagnostic } from "../model/index.js";

/** The YAML files that make up a stack: each file given, and every *.yaml / *.yml directly in each directory. */
export function listStackFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new StackError([notFound(p)]);
    }
    if (st.isDirectory()) {
      const inDir: string[] = [];
      for (const f of readdirSync(p).filter((name) => /\.ya?ml$/i.test(name)).sort()) {
        const path = join(p, f);
        let isFile: boolean;
        try {
          isFile = statSync(path).isFile();
        } catch {
          // A dangling symbolic link is a file the user meant to be part of the stack.
          throw new StackError([{ ...notFound(path), message: `${path} is a link to nothing` }]);
        }
        if (isFile) inDir.push(path);
      }
      if (inDir.length === 0) {
        throw new StackError([{ ...notFound(p), code: "no-stack-files", message: `${p} holds no *.yaml or *.yml file`, hint: "point at a stack file or a directory of them (certform init scaffolds one)" }]);
      }
      files.push(...inDir);
    } else {
      files.push(p);
    }
  }
  // The same file reached twice (a file and its directory) would declare everything twice.
  return [...new Map(files.map((f) => [resolve(f), f])).values()];
}

function notFound(p: string): Diagnostic {
  return { severity: "error", code: "path-not-found", file: p, line: 1, column: 1, message: `no such file or directory: ${p}`, hint: "give the path of a stack file or directory (default: ./stacks)" };
}

/** A stack of 10,000 certificates is about 2 MiB of YAML; anything past this is not a stack. */
export const MAX_STACK_FILE_BYTES = 16 * 1024 * 1024;

/** Reads a stack file as UTF-8 text, naming it relative to the working directory in every message. */
export function readStackFile(file: string): { name: string; text: string } {
  const name = relative(process.cwd(), file) || file;
  const refuse = (code: string, message: string, hint: string) => new StackError([{ severity: "error", code, file: name, line: 1, column: 1, message, hint }]);
  // Checked before reading: a device (/dev/zero) never ends, and a huge file would be read whole.
  const st = statSync(file);
  if (!st.isFile()) throw refuse("file-unreadable", `${name} is not a regular file (a device, pipe or socket)`, "give the path of a stack file or directory (default: ./stacks)");
  if (st.size > MAX_STACK_FILE_BYTES) {
    throw refuse("file-too-large", `${name} is ${(st.size / 1024 / 1024).toFixed(1)} MiB; a stack file is at most ${MAX_STACK_FILE_BYTES / 1024 / 1024} MiB`, "a stack declares resources and points at certificate files with { file: PATH }; split a very large stack into several files of one directory");
  }
  const buf = readFileSync(file);
  if (buf.includes(0)) throw refuse("binary-file", `${name} is not a text file (it has NUL bytes)`, "a stack is YAML text; certificate files are referenced with { file: PATH }");
  return { name, text: buf.toString("utf8") };
}
