import { lineIndex } from "../line-index.js";
import type { LineColumn, NodePosition, PathSegment } from "../yaml-source.js";

// Where each prop of a construct is written, so that a diagnostic about `scope` points at `scope:` rather
// than at the `new …`. A small scanner, not a parser: it reads the object literal given as the third argument
// of the call at the construct's site (strings, templates, comments and brackets are skipped as wholes) and
// gives up quietly on anything else (props passed as a variable, spreads): the site then stands for them.

export type PropPositions = Map<PathSegment[], NodePosition>;

/** Positions of the keys (and values) of the props literal of the `new X(scope, id, { … })` at line/column. */
export function propPositions(text: string, at: LineColumn): PropPositions {
  const out: PropPositions = new Map();
  const pos = lineIndex(text);
  const start = offsetOf(text, at);
  if (start === undefined) return out;
  const s = new Scanner(text);
  // From `new Name<…>(` or `super(` to the open parenthesis, on the same statement.
  let i = start;
  while (i < text.length && i - start < 300 && text[i] !== "(") {
    if (/[;{}]/.test(text[i]!)) return out;
    i++;
  }
  if (text[i] !== "(") return out;
  i++;
  for (let commas = 0; commas < 2; commas++) {
    i = s.skipExpression(i);
    if (text[i] !== ",") return out;
    i++;
  }
  i = s.skipSpace(i);
  if (text[i] === "{") s.readObject(i, [], out, pos);
  return out;
}

function offsetOf(text: string, at: LineColumn): number | undefined {
  let line = 1;
  let i = 0;
  while (line < at.line) {
    i = text.indexOf("\n", i);
    if (i < 0) return undefined;
    i++;
    line++;
  }
  const offset = i + at.column - 1;
  return offset < text.length ? offset : undefined;
}

const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

class Scanner {
  constructor(private readonly text: string) {}

  skipSpace(i: number): number {
    const t = this.text;
    for (;;) {
      while (i < t.length && /\s/.test(t[i]!)) i++;
      if (t.startsWith("//", i)) {
        const end = t.indexOf("\n", i);
        i = end < 0 ? t.length : end + 1;
      } else if (t.startsWith("/*", i)) {
        const end = t.indexOf("*/", i + 2);
        i = end < 0 ? t.length : end + 2;
      } else {
        return i;
      }
    }
  }

  /** Past a string or template literal starting at i. */
  skipString(i: number): number {
    const t = this.text;
    const quote = t[i]!;
    i++;
    while (i < t.length && t[i] !== quote) {
      if (t[i] === "\\") i += 2;
      else if (quote === "`" && t.startsWith("${", i)) i = this.skipBalanced(i + 1);
      else i++;
    }
    return i + 1;
  }

  /** Past the bracketed group opening at i. */
  skipBalanced(i: number): number {
    const t = this.text;
    const close = CLOSERS[t[i]!]!;
    i++;
    for (;;) {
      i = this.skipSpace(i);
      if (i >= t.length) return i;
      const c = t[i]!;
      if (c === close) return i + 1;
      if (c in CLOSERS) i = this.skipBalanced(i);
      else if (c === '"' || c === "'" || c === "`") i = this.skipString(i);
      else i++;
    }
  }

  /** To the `,` or closing bracket that ends the expression starting at i. */
  skipExpression(i: number): number {
    const t = this.text;
    for (;;) {
      i = this.skipSpace(i);
      if (i >= t.length) return i;
      const c = t[i]!;
      if (c === "," || c === ")" || c === "]" || c === "}") return i;
      if (c in CLOSERS) i = this.skipBalanced(i);
      else if (c === '"' || c === "'" || c === "`") i = this.skipString(i);
      else i++;
    }
  }

  readObject(i: number, path: PathSegment[], out: PropPositions, pos: (offset: number) => LineColumn): number {
    const t = this.text;
    i++;
    for (;;) {
      i = this.skipSpace(i);
      if (i >= t.length || t[i] === "}") return i + 1;
      const keyAt = i;
      let key: string | undefined;
      if (t.startsWith("...", i)) {
        i = this.skipExpression(i + 3);
      } else if (t[i] === '"' || t[i] === "'") {
        const end = this.skipString(i);
        key = t.slice(i + 1, end - 1);
        i = end;
      } else if (t[i] === "[") {
        i = this.skipBalanced(i);
      } else {
        const m = /^[A-Za-z_$0-9][\w$]*/.exec(t.slice(i, i + 200));
        if (!m) {
          const next = this.skipExpression(i);
          if (next === i) return i + 1;
          i = next;
          continue;
        }
        key = m[0];
        i += key.length;
      }
      i = this.skipSpace(i);
      if (t[i] === ":") {
        const valueAt = this.skipSpace(i + 1);
        if (key !== undefined) {
          out.set([...path, key], { key: pos(keyAt), value: pos(valueAt) });
          i = this.skipExpression(this.readValue(valueAt, [...path, key], out, pos));
        } else {
          i = this.skipExpression(valueAt);
        }
      } else if (key !== undefined && (t[i] === "," || t[i] === "}")) {
        out.set([...path, key], { key: pos(keyAt), value: pos(keyAt) }); // shorthand { hosts }
      } else {
        i = this.skipExpression(i);
      }
      i = this.skipSpace(i);
      if (t[i] === ",") i++;
    }
  }

  readValue(i: number, path: PathSegment[], out: PropPositions, pos: (offset: number) => LineColumn): number {
    const t = this.text;
    if (t[i] === "{") return this.readObject(i, path, out, pos);
    if (t[i] !== "[") return this.skipExpression(i);
    i++;
    for (let n = 0; ; n++) {
      i = this.skipSpace(i);
      if (i >= t.length || t[i] === "]") return i + 1;
      out.set([...path, n], { value: pos(i) });
      i = this.readValue(i, [...path, n], out, pos);
      i = this.skipSpace(i);
      if (t[i] === ",") i++;
      else if (t[i] !== "]") i = this.skipExpression(i);
    }
  }
}
