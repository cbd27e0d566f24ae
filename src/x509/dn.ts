// The attribute types a subject DN may name (those the certificate encoder knows by name), or a dotted OID.
const TYPES = new Set(["CN", "L", "ST", "O", "OU", "C", "DC", "E", "G", "I", "SN", "T"]);

/**
 * Why a subject DN written most specific first ("CN=api.example.com, O=Example") cannot be encoded as
 * written, or undefined when it can. Commas separate RDNs; a special character inside a value is escaped
 * with a backslash (RFC 4514).
 */
export function dnProblem(dn: string): string | undefined {
  if (dn.trim() === "") return "it is empty";
  if (/(^|[^\\])(\\\\)*\\$/.test(dn)) return "it ends with a lone backslash";
  for (const raw of splitRdns(dn)) {
    const part = raw.trim();
    const eq = part.indexOf("=");
    if (eq < 0) return `"${part}" is not TYPE=value`;
    const type = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!TYPES.has(type) && !/^\d+(\.\d+)+$/.test(type)) return `"${type}" is not an attribute type (in capitals: CN, O, OU, L, ST, C, DC, E, SN, G, I, T, or a dotted OID)`;
    if (value === "") return `${type}= has no value`;
    const unescaped = value.replace(/\\./g, "");
    const special = /["+;<>=]/.exec(unescaped);
    if (special) return `the value of ${type} holds "${special[0]}" unescaped (write \\${special[0]})`;
    if (value.startsWith("#")) return `the value of ${type} starts with "#" (write \\#)`;
  }
  return undefined;
}

/** The RDNs of a DN as written, split at the commas a backslash does not escape (escapes kept, not trimmed). */
export function splitRdns(dn: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === "\\" && i + 1 < dn.length) current += ch + dn[++i];
    else if (ch === ",") {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
