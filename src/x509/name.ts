import { hasControl } from "../model/control-chars.js";
import { TAG, childrenOf, contentOf, encodingOf, oidOf, readBer, type Block } from "./asn1.js";

const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.42": "givenName",
  "2.5.4.97": "organizationIdentifier",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "emailAddress",
};

const STRING_TAGS: ReadonlySet<number> = new Set([
  TAG.UTF8_STRING,
  TAG.PRINTABLE_STRING,
  TAG.T61_STRING,
  TAG.IA5_STRING,
  TAG.UNIVERSAL_STRING,
  TAG.BMP_STRING,
  TAG.NUMERIC_STRING,
  TAG.VISIBLE_STRING,
]);

/**
 * A distinguished name on one line, most specific first ("CN=api.example.com, O=Example"), as
 * RFC 4514 orders it. Special and control characters are escaped so that a name can never forge
 * extra components or terminal control sequences in output. `der` is the Name's encoding; undefined
 * when it is no Name.
 */
export function formatName(der: Uint8Array): string | undefined {
  const name = readBer(der);
  if (!name || !isSeqOrSet(name)) return undefined;
  const rdns: string[] = [];
  for (const set of childrenOf(name)) {
    if (!isSeqOrSet(set)) return undefined;
    const atvs: string[] = [];
    for (const atv of childrenOf(set)) {
      const [oidBlock, value] = childrenOf(atv);
      const oid = oidOf(oidBlock);
      if (oid === undefined) return undefined;
      const type = SHORT_NAMES[oid] ?? oid;
      if (!value) atvs.push(`${type}=`);
      else if (value.idBlock.tagClass !== 1 || !STRING_TAGS.has(value.idBlock.tagNumber) || value.idBlock.isConstructed) atvs.push(`${type}=#${encodingOf(value).toString("hex")}`);
      else atvs.push(`${type}=${escapeValue(decodeString(value.idBlock.tagNumber, contentOf(value)))}`);
    }
    rdns.push(atvs.join("+"));
  }
  return rdns.reverse().join(", ");
}

function isSeqOrSet(block: Block): boolean {
  return block.idBlock.tagClass === 1 && block.idBlock.isConstructed && (block.idBlock.tagNumber === TAG.SEQUENCE || block.idBlock.tagNumber === TAG.SET);
}

/** The text of an ASN.1 character string from its content octets. */
export function decodeString(tag: number, bytes: Buffer): string {
  switch (tag) {
    case TAG.BMP_STRING:
      // UTF-16BE; a stray odd byte at the end (invalid) is dropped rather than thrown on.
      return Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16().toString("utf16le");
    case TAG.UNIVERSAL_STRING: {
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const point = bytes.readUInt32BE(i);
        s += point <= 0x10ffff ? String.fromCodePoint(point) : "\uFFFD";
      }
      return s;
    }
    case TAG.T61_STRING:
      return bytes.toString("latin1");
    default:
      return bytes.toString("utf8");
  }
}

export function escapeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (hasControl(ch)) out += [...Buffer.from(ch)].map((b) => `\\${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");
    else if (',+"\\<>;'.includes(ch)) out += `\\${ch}`;
    else if ((i === 0 && (ch === " " || ch === "#")) || (i === value.length - 1 && ch === " ")) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
