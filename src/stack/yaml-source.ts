import { parseEvents, constructFromEvents, getScalarValue, EVENT_ID, SCALAR_STYLE, YAMLException } from "js-yaml";
import type { Diagnostic } from "../model/index.js";
import { StackError } from "../model/index.js";
import { lineIndex } from "./line-index.js";

export type PathSegment = string | number;
export interface LineColumn {
  line: number;
  column: number;
}
/** Where a node stands in the file: its key (inside a mapping) and its value. */
export interface NodePosition {
  key?: LineColumn;
  value: LineColumn;
}

/** A YAML file's value together with the position of every node, addressed by path. */
export interface YamlSource {
  file: string;
  value: unknown;
  positions: Map<string, NodePosition>;
}

export const pathKey = (path: readonly PathSegment[]): string => path.join("\u0000");

// Aliases are shared references until something walks them; a billion-laughs file would expand
// past any memory when validated. Counting expanded nodes bounds what a walk can cost.
const MAX_EXPANDED_NODES = 100_000;
const MAX_ALIASES = 100;

interface Frame {
  kind: "document" | "mapping" | "sequence";
  path: PathSegment[];
  size: number;
  anchor?: string;
  index: number;
  pendingKey?: { name: string; pos: LineColumn };
  keys: Map<string, LineColumn>;
}

function fail(file: string, pos: LineColumn, code: string, message: string, hint: string, related?: LineColumn): never {
  const d: Diagnostic = { severity: "error", code, file, ...pos, message, hint };
  if (related) d.related = [{ file, ...related }];
  throw new StackError([d]);
}

/** Parses one YAML document, refusing duplicate keys, complex keys and alias bombs, with positions. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const at = lineIndex(text);
  let events;
  try {
    events = parseEvents(text, { filename: file, maxDepth: 64 });
  } catch (err) {
    if (err instanceof YAMLException && err.mark) {
      const reason = err.reason || err.message.split("\n")[0]!;
      fail(file, { line: err.mark.line + 1, column: err.mark.column + 1 }, "yaml-syntax", `YAML syntax error: ${reason}`, "fix the YAML syntax at this place");
    }
    throw err;
  }

  const positions = new Map<string, NodePosition>();
  const anchorSizes = new Map<string, number>();
  const stack: Frame[] = [];
  let documents = 0;
  let total = 0;
  let aliases = 0;

  // Places the next content node within its parent and returns its path, or undefined for a mapping key.
  const place = (pos: LineColumn, keyText: string | undefined, isScalar: boolean): PathSegment[] | undefined => {
    const parent = stack[stack.length - 1]!;
    if (parent.kind === "document") {
      positions.set("", { value: pos });
      return [];
    }
    if (parent.kind === "sequence") {
      const path = [...parent.path, parent.index++];
      positions.set(pathKey(path), { value: pos });
      return path;
    }
    if (!parent.pendingKey) {
      if (!isScalar || keyText === undefined) {
        fail(file, pos, "yaml-complex-key", "a mapping key must be plain text", "write the key as a plain scalar");
      }
      if (keyText === "__proto__" || keyText === "<<") {
        fail(
          file,
          pos,
          keyText === "<<" ? "yaml-merge-key" : "invalid-name",
          keyText === "<<" ? "YAML merge keys (<<) are not supported in stacks" : `"__proto__" is reserved and cannot be a key`,
          keyText === "<<" ? "write the values out, or use ${var:…} for values shared between resources" : "rename it",
        );
      }
      const first = parent.keys.get(keyText);
      if (first) {
        fail(
          file,
          pos,
          "duplicate-key",
          `duplicate key "${keyText}": it is also at line ${first.line}, column ${first.column}`,
          "remove one of the two keys; YAML keeps only one and certform refuses to guess which",
          first,
        );
      }
      parent.keys.set(keyText, pos);
      parent.pendingKey = { name: keyText, pos };
      return undefined;
    }
    const path = [...parent.path, parent.pendingKey.name];
    positions.set(pathKey(path), { key: parent.pendingKey.pos, value: pos });
    parent.pendingKey = undefined;
    return path;
  };

  const count = (n: number, pos: LineColumn) => {
    total += n;
    for (const f of stack) f.size += n;
    if (total > MAX_EXPANDED_NODES) {
      fail(file, pos, "yaml-too-large", `the YAML expands to more than ${MAX_EXPANDED_NODES} nodes through aliases`, "write the values out instead of nesting aliases (*ref)");
    }
  };

  for (const ev of events) {
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        documents++;
        if (documents > 1) fail(file, at(secondDocumentStart(text, events, ev)), "yaml-multiple-documents", "a stack file holds one YAML document", "split the documents into separate files of the stack directory");
        stack.push({ kind: "document", path: [], size: 0, index: 0, keys: new Map() });
        break;
      case EVENT_ID.SCALAR: {
        if (ev.tagStart >= 0) rejectTag(file, text, at, ev.tagStart, ev.tagEnd);
        // Quoted scalars start at their opening quote, which is where an editor puts the value.
        const quoted = ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED;
        const block = ev.style === SCALAR_STYLE.LITERAL_BLOCK || ev.style === SCALAR_STYLE.FOLDED_BLOCK;
        // A block scalar's content starts on the next line; its `|` or `>` indicator is where the value is written.
        const start = block ? blockIndicator(text, ev.valueStart) : Math.max(0, ev.valueStart - (quoted ? 1 : 0));
        const pos = at(start);
        const isKeyPosition = stack[stack.length - 1]!.kind === "mapping" && !stack[stack.length - 1]!.pendingKey;
        const keyText = isKeyPosition ? getScalarValue(text, ev) : undefined;
        const path = place(pos, keyText, true);
        if (path !== undefined) {
          if (ev.anchorStart >= 0) anchorSizes.set(text.slice(ev.anchorStart, ev.anchorEnd), 1);
          count(1, pos);
        }
        break;
      }
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        if (ev.tagStart >= 0) rejectTag(file, text, at, ev.tagStart, ev.tagEnd);
        const pos = at(ev.start);
        const path = place(pos, undefined, false)!;
        const frame: Frame = { kind: ev.type === EVENT_ID.MAPPING ? "mapping" : "sequence", path, size: 0, index: 0, keys: new Map() };
        if (ev.anchorStart >= 0) frame.anchor = text.slice(ev.anchorStart, ev.anchorEnd);
        count(1, pos);
        stack.push(frame);
        break;
      }
      case EVENT_ID.ALIAS: {
        const pos = at(ev.anchorStart);
        const name = text.slice(ev.anchorStart, ev.anchorEnd);
        const path = place(pos, undefined, false);
        if (path === undefined) fail(file, pos, "yaml-complex-key", "a mapping key must be plain text", "write the key as a plain scalar");
        if (++aliases > MAX_ALIASES) fail(file, pos, "yaml-too-many-aliases", `more than ${MAX_ALIASES} aliases (*ref) in one file`, "write the values out instead");
        count(anchorSizes.get(name) ?? 1, pos);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop()!;
        if (frame.anchor !== undefined) anchorSizes.set(frame.anchor, frame.size);
        break;
      }
    }
  }
  if (documents === 0) fail(file, { line: 1, column: 1 }, "empty-file", "the file holds no YAML document", "write a stack (apiVersion, kind, name, …) or remove the file");

  checkNoPrivateKey(file, text, at);
  let value: unknown;
  try {
    [value] = constructFromEvents(events, { source: text, filename: file, maxAliases: MAX_ALIASES });
  } catch (err) {
    const mark = err instanceof YAMLException ? err.mark : undefined;
    const reason = err instanceof YAMLException ? err.reason : String(err);
    fail(file, mark ? { line: mark.line + 1, column: mark.column + 1 } : { line: 1, column: 1 }, "yaml-syntax", `YAML error: ${reason}`, "fix the YAML at this place");
  }
  return { file, value, positions };
}

function rejectTag(file: string, text: string, at: (offset: number) => LineColumn, start: number, end: number): never {
  const tag = text.slice(start, end);
  fail(file, at(start), "yaml-tag", `YAML tags such as ${tag.length <= 20 ? tag : "this one"} are not part of the stack format`, "remove the tag; write the value as plain text, a list or a mapping");
}

// "A private key is never written inline in a stack": refuse it wherever it stands, before it is parsed further.
function checkNoPrivateKey(file: string, text: string, at: (offset: number) => LineColumn): void {
  const m = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.exec(text);
  if (!m) return;
  fail(file, at(m.index), "key-inline", "a private key is written in the stack", "a private key never goes in a stack: give it as key: { file: PATH } or key: { env: VAR }, and rotate this key if the file was ever shared");
}

// Only blank lines stand between a block scalar's header and its content, so the nearest `|` or `>`
// before the content is the header's indicator (or a character of the header line's comment).
function blockIndicator(text: string, contentStart: number): number {
  const i = Math.max(text.lastIndexOf("|", contentStart - 1), text.lastIndexOf(">", contentStart - 1));
  return i >= 0 ? i : contentStart;
}

/**
 * Where the second document begins: its `---` marker, else its first node. The document event itself
 * carries no offset, so the next event that does is the anchor of the search.
 */
function secondDocumentStart(text: string, events: readonly unknown[], documentEvent: unknown): number {
  const offsetOf = (e: unknown) => [(e as { start?: number }).start, (e as { valueStart?: number }).valueStart].find((o) => typeof o === "number" && o >= 0);
  const after = events.slice(events.indexOf(documentEvent) + 1).find((e) => offsetOf(e) !== undefined);
  const offset = after === undefined ? text.length : offsetOf(after)!;
  const marker = text.lastIndexOf("---", offset);
  return marker >= 0 && (marker === 0 || text[marker - 1] === "\n") ? marker : offset;
}
