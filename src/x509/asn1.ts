/**
 * Reading BER/DER through asn1js (generic trees) and @peculiar/asn1-schema (typed schemas), with the
 * same limits everywhere. Every read returns undefined or throws a plain Error on bad input; callers
 * turn that into a MaterialError that says what the input is.
 */
import * as asn1js from "asn1js";
import { AsnParser, AsnProp } from "@peculiar/asn1-schema";

type IAsn1PropOptions = Parameters<typeof AsnProp>[0];

/**
 * Limits for every read. asn1js descends recursively; its depth limit is what turns deeply nested
 * input (20,000 indefinite-length levels in 80 KB) into an error instead of a stack overflow, and no
 * certificate, key or PKCS#12 layer nests anywhere near 64 deep. Contents of OCTET and BIT STRINGs are
 * not parsed speculatively: the schemas read them when they hold structure. 100,000 elements is ten
 * times a PKCS#7 bundle of every public root, and bounds what a file of tiny elements can allocate.
 */
export const BER_OPTIONS = { maxDepth: 64, maxNodes: 100_000, parseEmbedded: false, copyInput: false } as const;

export type Block = asn1js.AsnType;

/** One BER element that fills `bytes` exactly; undefined for anything else. */
export function readBer(bytes: Uint8Array): Block | undefined {
  if (bytes.length === 0) return undefined;
  const read = fromBer(bytes);
  return read && read.offset === bytes.length ? read.result : undefined;
}

/**
 * asn1js reports most bad input in `error`, but throws on some (a GeneralizedTime that is no time, a
 * length past the end in some types): both come out as undefined here.
 */
function fromBer(bytes: Uint8Array): { offset: number; result: Block } | undefined {
  try {
    // A plain Uint8Array view: asn1js takes its fast paths (and copies its input) only for one, not for a Buffer.
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { offset, result } = asn1js.fromBER(view, BER_OPTIONS);
    return offset > 0 && !result.error ? { offset, result } : undefined;
  } catch {
    return undefined;
  }
}

/** The elements of concatenated BER (`cat a.der b.der`); undefined unless they cover `bytes` exactly. */
export function readBerSequence(bytes: Uint8Array): Block[] | undefined {
  const out: Block[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const read = fromBer(bytes.subarray(pos));
    if (!read) return undefined;
    out.push(read.result);
    pos += read.offset;
  }
  return out.length > 0 ? out : undefined;
}

/** `bytes` read with a schema of @peculiar/asn1-*; throws a plain Error when they do not fit it. */
export function parseAs<T>(bytes: Uint8Array | ArrayBuffer, schema: new () => T): T {
  return AsnParser.parse(bytes, schema, { berOptions: BER_OPTIONS });
}

/** Like parseAs, but undefined instead of an error. */
export function tryParseAs<T>(bytes: Uint8Array | ArrayBuffer, schema: new () => T): T | undefined {
  try {
    return parseAs(bytes, schema);
  } catch {
    return undefined;
  }
}

const UNIVERSAL = 1;
const CONTEXT = 3;

/** The block's children when it is constructed (SEQUENCE, SET, tagged, BER-split string); else []. */
export function childrenOf(block: Block | undefined): Block[] {
  const value = (block?.valueBlock as { value?: unknown } | undefined)?.value;
  return block?.idBlock.isConstructed && Array.isArray(value) ? (value as Block[]) : [];
}

export function isUniversal(block: Block | undefined, tagNumber: number): boolean {
  return block?.idBlock.tagClass === UNIVERSAL && block.idBlock.tagNumber === tagNumber;
}

export function isContext(block: Block | undefined, tagNumber: number): boolean {
  return block?.idBlock.tagClass === CONTEXT && block.idBlock.tagNumber === tagNumber;
}

export const TAG = {
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  OID: 6,
  UTF8_STRING: 12,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE_STRING: 26,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
  SEQUENCE: 16,
  SET: 17,
} as const;

/** The dotted OID of an OBJECT IDENTIFIER block; undefined for any other block. */
export function oidOf(block: Block | undefined): string | undefined {
  return block instanceof asn1js.ObjectIdentifier ? block.valueBlock.toString() : undefined;
}

/** A small non-negative INTEGER's value; undefined for another block or a value beyond 2^48. */
export function smallIntOf(block: Block | undefined): number | undefined {
  if (!(block instanceof asn1js.Integer)) return undefined;
  const bytes = block.valueBlock.valueHexView;
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0) return undefined;
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/** The content octets of a primitive block (for a BER-split OCTET STRING, its pieces joined). */
export function contentOf(block: Block): Buffer {
  if (block instanceof asn1js.OctetString && block.idBlock.isConstructed) return Buffer.from(block.getValue());
  const view = (block.valueBlock as { valueHexView?: Uint8Array }).valueHexView ?? new Uint8Array(0);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** The whole encoding of a block as it was read (tag, length and content). */
export function encodingOf(block: Block): Buffer {
  const view = block.valueBeforeDecodeView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Declares a SEQUENCE schema's fields, in order, on a plain class: the decorators of
 * @peculiar/asn1-schema called as functions, so that no compiler or loader setting for decorator
 * syntax is needed (tsx outside this repository's tsconfig, for one, would apply TC39 decorators).
 */
export function declareFields<T>(schema: new () => T, fields: { [K in keyof T]?: IAsn1PropOptions }): void {
  for (const [key, options] of Object.entries(fields)) AsnProp(options as IAsn1PropOptions)(schema.prototype as object, key);
}
