/** Host names as the data plane compares them: SNI, certificate hosts, mutual-TLS hosts, Host headers. */

/** Lower case, without a trailing dot: DNS names compare case-insensitively (RFC 4343). */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** For "*.example.com", "example.com": the key a wildcard is filed under. Undefined for other names. */
export function wildcardBase(pattern: string): string | undefined {
  return pattern.startsWith("*.") ? pattern.slice(2) : undefined;
}

/**
 * The key under which a wildcard covering `name` would be filed: everything after the first label, so
 * that "*.example.com" covers "www.example.com" but neither "example.com" nor "a.b.example.com".
 */
export function parentOf(name: string): string | undefined {
  const dot = name.indexOf(".");
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return name.slice(dot + 1);
}

/** The host of a Host header, without port or IPv6 brackets; undefined when absent. */
export function hostHeaderName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header.startsWith("[")) {
    const end = header.indexOf("]");
    return end > 0 ? header.slice(1, end).toLowerCase() : undefined;
  }
  const colon = header.lastIndexOf(":");
  return normalizeName(colon >= 0 ? header.slice(0, colon) : header);
}
