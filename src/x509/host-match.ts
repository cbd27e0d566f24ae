import type { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { canonicalIpv6, certFields } from "./cert-fields.js";

export function dnsSans(cert: X509Certificate): string[] {
  return (certFields(cert).sans ?? []).filter((s) => s.type === "DNS").map((s) => s.value);
}

export function ipSans(cert: X509Certificate): string[] {
  return (certFields(cert).sans ?? []).filter((s) => s.type === "IP").map((s) => s.value);
}

/** A reason the host cannot be a TLS host name, or undefined when it is acceptable. */
export function hostProblem(host: string): string | undefined {
  const control = host.match(/[\x00-\x1f\x7f]/);
  if (control) return `it contains the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
  if (host.trim() === "") return "it is empty";
  if (/\s/.test(host)) return "it contains whitespace";
  if (host.length > 253) return "it is longer than 253 characters";
  return undefined;
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
 * label, and needs at least two labels after it, so "*.com" covers nothing. IP hosts match IP SANs only.
 * A wildcard host ("*.dev.example.com", as `generate:` declares) is covered only by the same wildcard.
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
    if (e.ip) continue;
    const san = normalizeDns(e.value);
    if (san === name) return true;
    if (!san.startsWith("*.")) continue;
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
