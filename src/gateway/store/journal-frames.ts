import { crc32 } from "node:zlib";

/**
 * One journal record on disk: "CFJ1", the payload's length and its CRC-32 (both unsigned 32-bit,
 * big-endian), then the payload (UTF-8 JSON). The magic lets a reader tell a torn last record from
 * damage in the middle: after a bad frame, any later frame that checks out means the damage is not
 * at the tail.
 */
const MAGIC = Buffer.from("CFJ1", "latin1");
export const FRAME_OVERHEAD = 12;

export function encodeFrame(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), "utf8");
  const head = Buffer.alloc(FRAME_OVERHEAD);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(body.length, 4);
  head.writeUInt32BE(crc32(body), 8);
  return Buffer.concat([head, body]);
}

export type FrameScan =
  /** Every byte read as whole frames, or the bytes after `end` are a torn last frame (never acknowledged). */
  | { ok: true; payloads: unknown[]; end: number; torn: boolean }
  /** A bad frame at `offset` with a good one after it: damage in the middle, which no crash leaves. */
  | { ok: false; offset: number };

/** The payloads of the whole frames in `buf`, in order. */
export function scanFrames(buf: Buffer): FrameScan {
  const payloads: unknown[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const payload = frameAt(buf, offset);
    if (payload === undefined) {
      // A crash during an append leaves a prefix of the frame, or (with delayed allocation) zeros.
      return laterFrame(buf, offset + 1) ? { ok: false, offset } : { ok: true, payloads, end: offset, torn: true };
    }
    payloads.push(payload.value);
    offset = payload.next;
  }
  return { ok: true, payloads, end: offset, torn: false };
}

function frameAt(buf: Buffer, offset: number): { value: unknown; next: number } | undefined {
  if (buf.length - offset < FRAME_OVERHEAD || !buf.subarray(offset, offset + 4).equals(MAGIC)) return undefined;
  const length = buf.readUInt32BE(offset + 4);
  const start = offset + FRAME_OVERHEAD;
  if (start + length > buf.length) return undefined;
  const body = buf.subarray(start, start + length);
  if (crc32(body) !== buf.readUInt32BE(offset + 8)) return undefined;
  try {
    return { value: JSON.parse(body.toString("utf8")), next: start + length };
  } catch {
    return undefined;
  }
}

function laterFrame(buf: Buffer, from: number): boolean {
  for (let at = buf.indexOf(MAGIC, from); at >= 0; at = buf.indexOf(MAGIC, at + 1)) {
    if (frameAt(buf, at)) return true;
  }
  return false;
}
