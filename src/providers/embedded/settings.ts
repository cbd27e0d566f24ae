import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { rootCertificates } from "node:tls";
import type { EmbeddedGatewaySchema } from "../../model/environment.js";
import type { z } from "zod";
import type { AttemptInfo, ProviderOptions } from "../provider.js";

export type EmbeddedGateway = z.output<typeof EmbeddedGatewaySchema>;

/** Everything the client needs, decided once per provider rather than on every request. */
export interface ClientSettings {
  token: string | undefined;
  tokenVariable: string | undefined;
  /** PEM of the CA that signs the nodes' HTTPS admin certificates; undefined: the system CAs. */
  ca: string | undefined;
  timeoutMs: number;
  retries: number;
  backoff: { baseMs: number; maxMs: number };
  onAttempt: ((info: AttemptInfo) => void) | undefined;
}

export const DEFAULTS = { retries: 5, baseMs: 250, maxMs: 4000 } as const;

/** "10s", "500ms" → milliseconds (the schema has checked the form; anything else is a bug upstream). */
export function timeoutMs(text: string): number {
  const m = /^([1-9][0-9]*)(ms|s)$/.exec(text);
  if (!m) throw new Error(`gateway timeout "${text}" is not a duration such as 10s or 500ms`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

export function clientSettings(gateway: EmbeddedGateway, opts: ProviderOptions): ClientSettings {
  const token = gateway.token === undefined || gateway.token === "" ? undefined : gateway.token;
  // Node refuses such a header anyway, but with an error far from the cause; the value itself is never quoted.
  if (token !== undefined && /[\u0000-\u001f\u007f]/.test(token)) {
    throw new Error(`the admin token${opts.tokenVariable ? ` (from ${opts.tokenVariable})` : ""} contains control characters (a trailing newline?)`);
  }
  if (token !== undefined && token.includes("${env:")) {
    throw new Error("the admin token is still a ${env:…} reference: expand the gateway settings before creating the provider");
  }
  return {
    token,
    tokenVariable: opts.tokenVariable,
    ca: adminCa(gateway.caFile === undefined ? undefined : readCa(resolve(opts.baseDir ?? process.cwd(), gateway.caFile)), opts.adminCas),
    timeoutMs: opts.timeoutMs ?? timeoutMs(gateway.timeout ?? "10s"),
    retries: Math.max(0, opts.retries ?? DEFAULTS.retries),
    backoff: { baseMs: opts.backoff?.baseMs ?? DEFAULTS.baseMs, maxMs: opts.backoff?.maxMs ?? DEFAULTS.maxMs },
    onAttempt: opts.onAttempt,
  };
}

// Node's `ca` replaces the system store: extra CAs without a caFile keep the system's beside them.
function adminCa(caFile: string | undefined, extra: string | undefined): string | undefined {
  if (!extra) return caFile;
  return [caFile ?? rootCertificates.join("\n"), extra].join("\n");
}

function readCa(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new Error(`gateway caFile ${path}: cannot read it (${code})`);
  }
  // The file is meant to hold certificates; a key pasted in by mistake is not echoed by the check below.
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`gateway caFile ${path}: no PEM certificate in it`);
  return text;
}
