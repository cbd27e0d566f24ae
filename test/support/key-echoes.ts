/**
 * Every slice of a key that a message could echo: 8 characters of its base64 (at every byte alignment,
 * so an echo of a truncated copy is caught too) or 3 bytes in hex, with or without separators.
 */
export function keyEchoes(text: string, keyDer: Buffer): string[] {
  const found = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const b64 = keyDer.subarray(shift).toString("base64").replace(/=+$/, "");
    for (let i = 0; i + 8 <= b64.length; i++) if (text.includes(b64.slice(i, i + 8))) found.add(b64.slice(i, i + 8));
  }
  const upper = text.toUpperCase();
  for (let i = 0; i + 3 <= keyDer.length; i++) {
    const hex = [...keyDer.subarray(i, i + 3)].map((b) => b.toString(16).padStart(2, "0").toUpperCase());
    for (const sep of ["", " ", ":", "\\X"]) if (upper.includes(hex.join(sep))) found.add(hex.join(sep));
  }
  return [...found];
}
