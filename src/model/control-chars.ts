// Text read from certificates, files and stacks may hold characters that drive a terminal or rearrange
// what a reader sees. Everything certform prints shows them escaped, through here.

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: U+009B is a one-byte CSI on many terminals), and the
 * format characters that reorder or break a line: the bidirectional marks, embeddings, overrides and
 * isolates (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators.
 */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
/** The same set without C0, which JSON.stringify escapes already. */
const CONTROL_JSON_LEAVES = /[\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

// \xHH in upper case, as quoteValue has always written them; \uHHHH in lower case, as JSON.stringify writes them.
const hex = (ch: string, width: number): string => ch.charCodeAt(0).toString(16).padStart(width, "0");

export function hasControl(text: string): boolean {
  return text.search(CONTROL) !== -1;
}

/** The text on one clean line: each control character as \xHH (up to U+00FF) or \uHHHH. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (ch) => (ch.charCodeAt(0) > 0xff ? `\\u${hex(ch, 4)}` : `\\x${hex(ch, 2).toUpperCase()}`));
}

/**
 * JSON text of a value, two-space indented. Control characters JSON.stringify leaves raw (DEL, C1, the
 * bidirectional and line-separator characters) are written as \uHHHH escapes: the same value to a JSON
 * parser, harmless on a terminal.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(CONTROL_JSON_LEAVES, (ch) => `\\u${hex(ch, 4)}`);
}
