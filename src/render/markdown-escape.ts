import { plain } from "./plan-rows.js";

// Escaping for markdown meant for GitHub comments (plan, expiry, list): text that cannot open markup, and
// code spans that hold any value.

const MAX_TEXT = 1000;
const clip = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);
export const num = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Text outside code spans: nothing in it can open markup, a link, a table cell or an HTML tag. */
export function text(s: string): string {
  return clip(plain(s))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]~|]/g, "\\$&");
}

/** Inside raw HTML (the summary line), where markdown is not parsed. */
export const html = (s: string): string => clip(plain(s)).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A code span that holds any value: fenced with more backticks than the value has in a row, and `|`
 * escaped in a table cell (GitHub unescapes it there; elsewhere it needs none). `<` and `>` are inert
 * inside a code span.
 */
export function code(s: string, where: "cell" | "text" = "text"): string {
  const t = (where === "cell" ? clip(plain(s)).replace(/\|/g, "\\|") : clip(plain(s))) || " ";
  const run = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(run + 1);
  const pad = t.startsWith("`") || t.endsWith("`") || (t.startsWith(" ") && t.endsWith(" ") && t.trim() !== "") ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

