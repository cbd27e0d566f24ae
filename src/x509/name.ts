import { hasControl } from "../model/control-chars.js";
import { TAG, children, decodeOid, decodeString, whole, type Tlv } from "./pkcs12/der.js";

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
  0x12, // NumericString
  0x1a, // VisibleString
]);

/**
 * A distinguished name on one line, most specific first ("CN=api.example.com, O=Example"), as
 * RFC 4514 orders it. Special and control characters are escaped so that a name can never forge
 * extra components or terminal control sequences in output.
 */
export function formatName(name: Tlv): string {
  const rdns = children(name).map((set) =>
    children(set)
      .map((atv) => {
        const [oidTlv, value] = children(atv);
        const oid = oidTlv ? decodeOid(oidTlv) : "?";
        const type = SHORT_NAMES[oid] ?? oid;
        if (!value) return `${type}=`;
        if (!STRING_TAGS.has(value.tag)) return `${type}=#${whole(value).toString("hex")}`;
        return `${type}=${escapeValue(decodeString(value))}`;
      })
      .join("+"),
  );
  return rdns.reverse().join(", ");
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
