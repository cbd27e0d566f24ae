import type { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { parse as parseDomain } from "tldts";
import { quoteValue } from "../model/redact.js";
import { canonicalIpv6, certFields } from "./cert-fields.js";

export function dnsSans(cert: X509Certificate): string[] {
  return (certFields(cert).sans ?? []).filter((s) => s.type === "DNS").map((s) => s.value);
}

export function ipSans(cert: X509Certificate): string[] {
  return (certFields(cert).sans ?? []).filter((s) => s.type === "IP").map((s) => s.value);
}

const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).padStart(4, "0").toUpperCase()}`;

/** An IPv4 or IPv6 literal, the latter also in brackets. */
function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0 || (host.startsWith("[") && host.endsWith("]") && isIP(host.slice(1, -1)) === 6);
}

/**
 * The public suffix a wildcard spans ("co.uk" for *.co.uk, "s3.amazonaws.com" for *.s3.amazonaws.com),
 * or undefined. The Public Suffix List's private section counts: *.github.io would cover every user's
 * site as surely as *.co.uk covers every company's. Clients refuse such wildcards, and so does certform.
 */
export function wildcardPublicSuffix(name: string): string | undefined {
  if (!name.startsWith("*.")) return undefined;
  const rest = normalizeDns(name.slice(2));
  const parsed = parseDomain(rest, { allowPrivateDomains: true });
  return (parsed.isIcann || parsed.isPrivate) && parsed.publicSuffix === rest ? rest : undefined;
}

/**
 * The one host-syntax check: a reason the host cannot be a TLS host name (to follow "is not
 * valid: "), or undefined when it is acceptable. Accepted: IPv4 and IPv6 literals, and DNS names of
 * at most 253 characters in labels of 1–63 letters, digits and '-' (not first or last), with a
 * wildcard only as the whole left-most label, followed by at least two labels and not spanning a public
 * suffix (wildcardPublicSuffix). Nothing is
 * cleaned: a trailing dot, white space and control characters are reported, never stripped. The
 * reason never shows a control character raw, and quotes through quoteValue.
 */
export function hostProblem(host: string): string | undefined {
  const control = host.match(/[\x00-\x1f\x7f-\x9f]/);
  if (control) return `it contains the control character ${codePoint(control[0])}`;
  if (host === "") return "it is empty";
  const space = host.match(/\s/u);
  if (space) return `it contains white space (${codePoint(space[0])})`;
  if (isIpLiteral(host)) return undefined;
  if (host.length > 253) return `it is ${host.length} characters long; a host name has at most 253`;
  if (host.endsWith(".")) return "it ends with a dot; write it without the trailing dot";
  const labels = host.split(".");
  for (const [i, label] of labels.entries()) {
    if (label === "") return i === 0 ? "it starts with a dot" : "it has an empty label (two dots in a row)";
    if (label.includes("*")) {
      if (label !== "*" || i !== 0) return "a wildcard may only be the whole left-most label, as in *.example.com";
      continue;
    }
    if (label.length > 63) return `its label ${i + 1} is ${label.length} characters long; a label has at most 63`;
    const bad = label.match(/[^A-Za-z0-9-]/u);
    if (bad) {
      const ch = bad[0];
      const shown = /^[\x21-\x7e]$/.test(ch) ? quoteValue(ch) : `${quoteValue(ch)} (${codePoint(ch)})`;
      const idn = /[^\x00-\x7f]/.test(host) ? domainToASCII(host) : "";
      return `it contains ${shown}; a host name has only letters, digits, '-' and '.'` + (idn ? `: write an internationalized name in its punycode form, ${quoteValue(idn)}` : "");
    }
    if (label.startsWith("-") || label.endsWith("-")) return `its label ${i + 1} ${label.startsWith("-") ? "starts" : "ends"} with '-'`;
  }
  if (labels[0] === "*" && labels.length < 3) return "a wildcard needs at least two labels after it (*.example.com, not *.com)";
  const suffix = wildcardPublicSuffix(host);
  if (suffix) return publicSuffixReason(suffix);
  return undefined;
}

/** Why a wildcard over `suffix` is refused, to follow "is not valid: " or a SAN. */
export function publicSuffixReason(suffix: string): string {
  return `${quoteValue(suffix)} is a public suffix (Public Suffix List), so the wildcard would cover every domain registered under it; clients refuse it: name a domain of your own, as in *.example.${suffix}`;
}

function normalizeIp(ip: string): string | undefined {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return canonicalIpv6(bare);
  return undefined;
}

function normalizeDns(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, "");
  // Compare internationalized names in their ASCII (punycode) form, as certificates carry them.
  if (/[^\x00-\x7f]/.test(lower)) return domainToASCII(lower) || lower;
  return lower;
}

/**
 * RFC 6125 host matching. A SAN entry is "DNS:name" / "IP:address" or a bare value (an IP literal
 * then counts as an IP SAN). A wildcard is only the whole left-most label, stands for exactly one
 * label, and needs at least two labels after it, so "*.com" covers nothing; nor does a wildcard over a public
 * suffix ("*.co.uk", "*.s3.amazonaws.com"). IP hosts match IP SANs only.
 * A wildcard host ("*.dev.example.com", as `generate:` declares) is covered only by the same wildcard.
 * A host that hostProblem refuses (a trailing dot, a Unicode name not in punycode, …) is covered by nothing.
 */
export function hostCovered(host: string, sans: string[]): boolean {
  if (hostProblem(host)) return false;
  const entries = sans.map((s) => {
    const m = s.match(/^(DNS|IP|IP Address):(.*)$/i);
    if (m) return { ip: m[1]!.toUpperCase() !== "DNS", value: m[2]! };
    return { ip: isIP(s) !== 0, value: s };
  });
  const ip = normalizeIp(host);
  if (ip !== undefined) return entries.some((e) => e.ip && normalizeIp(e.value) === ip);

  const name = normalizeDns(host);
  for (const e of entries) {
    if (e.ip || /[^\x00-\x7f]/.test(e.value)) continue; // clients compare a dNSName byte for byte: a non-ASCII one covers nothing
    const san = normalizeDns(e.value);
    if (san === name) return true;
    if (!san.startsWith("*.") || wildcardPublicSuffix(san)) continue;
    const rest = san.slice(2);
    if (rest.includes("*") || !rest.includes(".") || rest.split(".").some((l) => l === "")) continue;
    const dot = name.indexOf(".");
    if (dot <= 0) continue;
    const first = name.slice(0, dot);
    if (first === "*" || name.slice(dot + 1) !== rest) continue;
    return true;
  }
  return false;
}
