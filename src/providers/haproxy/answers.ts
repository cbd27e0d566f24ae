import { ProviderError } from "../provider.js";

// Reading HAProxy's runtime API answers (2.6), and checking that a write's answer names the object it was
// meant for: with one open transaction, `set ssl cert Y` can answer for X and write into X.

/** `show ssl cert` / `show ssl ca-file`: the loaded names, and the one with an open transaction. */
export function parseStoreList(answer: string): { names: string[]; transaction?: string } {
  const names: string[] = [];
  let transaction: string | undefined;
  let section = "";
  for (const raw of answer.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      section = line.slice(1).trim();
      continue;
    }
    // `show ssl ca-file` adds " - N certificate(s)".
    const name = line.replace(/ - \d+ certificate\(s\)$/, "");
    if (section === "transaction") transaction = name.replace(/^\*/, "");
    else names.push(name);
  }
  return transaction === undefined ? { names } : { names, transaction };
}

/** `show ssl crt-list -n LIST`: each entry's certificate and SNI filters. */
export function parseCrtList(answer: string): { certificate: string; line: number; filters: string[] }[] {
  const out: { certificate: string; line: number; filters: string[] }[] = [];
  for (const raw of answer.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [first, ...rest] = line.split(/\s+/);
    const m = /^(.*):(\d+)$/.exec(first!);
    // An entry's own SSL options come as `[…]` before the filters; certform writes none, and skips any.
    const filters = rest.join(" ").replace(/\[[^\]]*\]/g, " ").split(/\s+/).filter(Boolean);
    out.push({ certificate: m ? m[1]! : first!, line: m ? Number(m[2]) : 0, filters });
  }
  return out;
}

/** The SHA-1 fingerprints (hex, no colons) in a `show ssl cert NAME` or `show ssl ca-file NAME` answer. */
export const sha1sOf = (answer: string): string[] => [...answer.matchAll(/^SHA1 FingerPrint:\s*([0-9A-Fa-f]+)/gm)].map((m) => m[1]!.toUpperCase());

/** Throws unless the answer has every expected fragment: a reply about another object is a failure, not a success. */
export function expectAnswer(node: string, what: string, answer: string, ...expected: (string | RegExp)[]): void {
  const ok = expected.every((e) => (typeof e === "string" ? answer.includes(e) : e.test(answer)));
  if (!ok) throw unexpected(node, what, answer);
}

export const unexpected = (node: string, what: string, answer: string): ProviderError =>
  new ProviderError(`node ${node}: ${what}: HAProxy answered ${JSON.stringify(answer.trim().slice(0, 300))}`, "bad-response", node, undefined, undefined, "nothing else was sent after this answer; run plan again to see where the node stands");

/** A commit's answer: "Committing NAME" then one dot per updated user, then "Success!". */
export function committedUsers(answer: string, name: string): number | undefined {
  const at = answer.indexOf(`Committing ${name}`);
  if (at < 0 || !/Success!/.test(answer)) return undefined;
  const rest = answer.slice(at + `Committing ${name}`.length);
  return /^\.*/.exec(rest)![0].length;
}

export interface ServerState {
  /** The address HAProxy connects to (resolved). */
  addr: string;
  /** The name the server line gave, where it gave one ("-" in HAProxy's answer otherwise). */
  fqdn?: string;
  port: number;
  ssl: boolean;
}

/** `show servers state BACKEND`: the servers, read by the header's column names (they differ between versions). */
export function parseServersState(answer: string): ServerState[] {
  const lines = answer.split("\n").map((l) => l.trim());
  const header = lines.find((l) => l.startsWith("# be_id"))?.slice(2).split(/\s+/);
  if (!header) return [];
  const col = (row: string[], name: string) => row[header.indexOf(name)];
  return lines
    .filter((l) => l !== "" && !l.startsWith("#") && l.split(/\s+/).length >= header.length)
    .map((l) => {
      const row = l.split(/\s+/);
      const fqdn = col(row, "srv_fqdn");
      return { addr: col(row, "srv_addr") ?? "", ...(fqdn && fqdn !== "-" ? { fqdn } : {}), port: Number(col(row, "srv_port")), ssl: col(row, "srv_use_ssl") === "1" };
    });
}

/** Whether HAProxy's server is the one an endpoint URL names (scheme, host and port; the path is routing). */
export function serverMatches(server: ServerState | undefined, url: string): boolean {
  if (!server) return false;
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  return server.ssl === (u.protocol === "https:") && server.port === port && (server.fqdn === host || server.addr === host);
}
