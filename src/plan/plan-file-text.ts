import { gunzipSync } from "node:zlib";

/**
 * The JSON text of a plan file's bytes: gzip-compressed as savePlan writes it, or plain JSON. Kept apart from
 * plan-file.ts (and the schema it loads) so that the command line can tell a plan file from stack paths at
 * start-up for the cost of zlib alone.
 */
export function planFileText(bytes: Buffer): string {
  return (isCompressed(bytes) ? gunzipSync(bytes) : bytes).toString("utf8");
}

export const isCompressed = (bytes: Buffer): boolean => bytes[0] === 0x1f && bytes[1] === 0x8b;
