import { plain } from "./plan-rows.js";

/**
 * Columns padded to their widest cell, two spaces apart. `style` colours a whole row after padding, so that
 * escape codes never count towards a width. Cells are shown safely (control characters escaped).
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], style: (row: number, line: string) => string = (_, l) => l): string {
  const cells = rows.map((r) => r.map(plain));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(headers), ...cells.map((r, i) => style(i, line(r)))].map((l) => `${l}\n`).join("");
}
