/**
 * A minimal DER reader. It exists so that material can be told apart by structure (certificate,
 * CSR, key, PKCS#12) and so that a few certificate fields node does not expose (signature
 * algorithm, raw SAN entries, exact validity) are read from the bytes rather than from display strings.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte in the buffer. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content (before the end-of-contents octets of an indefinite length). */
  contentEnd: number;
  /** Offset just past the whole element. */
  end: number;
  buf: Buffer;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * Reads one TLV at `offset`; returns undefined instead of throwing so sniffing stays cheap.
 * `ber` also accepts indefinite lengths, which some PKCS#12 writers (NSS, old Windows) still emit.
 */
export function readTlv(buf: Buffer, offset = 0, limit = buf.length, ber = false): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = buf[offset]!;
  // Multi-byte tags never occur in the structures read here.
  if ((tag & 0x1f) === 0x1f) return undefined;
  const lenByte = buf[offset + 1]!;
  let pos = offset + 2;
  if (lenByte === 0x80) {
    if (!ber || (tag & 0x20) === 0) return undefined;
    while (true) {
      if (pos + 2 > limit) return undefined;
      if (buf[pos] === 0 && buf[pos + 1] === 0) return { tag, start: offset, contentStart: offset + 2, contentEnd: pos, end: pos + 2, buf };
      const child = readTlv(buf, pos, limit, ber);
      if (!child) return undefined;
      pos = child.end;
    }
  }
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else {
    const n = lenByte & 0x7f;
    if (n > 4 || pos + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos + i]!;
    pos += n;
  }
  if (pos + length > limit) return undefined;
  return { tag, start: offset, contentStart: pos, contentEnd: pos + length, end: pos + length, buf };
}

export function children(tlv: Tlv, ber = false): Tlv[] {
  const out: Tlv[] = [];
  let pos = tlv.contentStart;
  while (pos < tlv.contentEnd) {
    const child = readTlv(tlv.buf, pos, tlv.contentEnd, ber);
    if (!child) return out;
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** An OCTET STRING's bytes, also when BER splits it into a constructed string of pieces. */
export function octets(tlv: Tlv): Buffer {
  if ((tlv.tag & 0x20) === 0) return content(tlv);
  return Buffer.concat(children(tlv, true).map(octets));
}

export function content(tlv: Tlv): Buffer {
  return tlv.buf.subarray(tlv.contentStart, tlv.contentEnd);
}

export function whole(tlv: Tlv): Buffer {
  return tlv.buf.subarray(tlv.start, tlv.end);
}

/** The whole buffer is exactly one DER element (no trailing bytes). */
export function parseDer(buf: Buffer, ber = false): Tlv | undefined {
  const tlv = readTlv(buf, 0, buf.length, ber);
  return tlv && tlv.end === buf.length ? tlv : undefined;
}

export function decodeOid(tlv: Tlv): string {
  const bytes = content(tlv);
  if (bytes.length === 0) return "";
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join(".");
}

export function decodeSmallInteger(tlv: Tlv): number | undefined {
  const bytes = content(tlv);
  if (bytes.length === 0 || bytes.length > 6) return undefined;
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

export function decodeString(tlv: Tlv): string {
  const bytes = content(tlv);
  switch (tlv.tag) {
    case TAG.BMP_STRING: {
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString("utf16le");
    }
    case TAG.UNIVERSAL_STRING: {
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) s += String.fromCodePoint(bytes.readUInt32BE(i));
      return s;
    }
    case TAG.T61_STRING:
      return bytes.toString("latin1");
    default:
      return bytes.toString("utf8");
  }
}

/** UTCTime or GeneralizedTime in DER form (always Zulu, seconds present). */
export function decodeTime(tlv: Tlv): Date | undefined {
  const text = content(tlv).toString("latin1");
  let m: RegExpMatchArray | null;
  if (tlv.tag === TAG.UTC_TIME) {
    m = text.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/);
    if (!m) return undefined;
    const yy = Number(m[1]);
    // RFC 5280 4.1.2.5.1: two-digit years 50..99 are 19xx.
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (tlv.tag === TAG.GENERALIZED_TIME) {
    m = text.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/);
    if (!m) return undefined;
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  }
  return undefined;
}
