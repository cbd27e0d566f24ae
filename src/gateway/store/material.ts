import type { X509Certificate } from "node:crypto";
import { decodeCertificates, isMaterialError, type Finding } from "../../x509/index.js";
import { fail, formatField, type Failure } from "./failure.js";

// Views and metrics decode stored PEM on every read; the PEM text is the key, so a replaced
// certificate simply misses. Bounded: the oldest entry goes first.
const MAX_CACHED = 2048;
const cache = new Map<string, readonly X509Certificate[]>();

/** The certificates of a stored PEM (validated when it was written). */
export function certificatesOf(pem: string): readonly X509Certificate[] {
  const hit = cache.get(pem);
  if (hit) return hit;
  const certs = Object.freeze(decodeCertificates(pem));
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(pem, certs);
  return certs;
}

const END = "-----END CERTIFICATE-----";

/** The leaf of a stored chain (leaf first), without parsing the rest of it. */
export function leafOf(pem: string): X509Certificate {
  const whole = cache.get(pem);
  if (whole) return whole[0]!;
  const end = pem.indexOf(END);
  return certificatesOf(end < 0 ? pem : pem.slice(0, end + END.length))[0]!;
}

/** Runs a decoder; its MaterialError (whose message never shows the input) becomes a 422 at `field`. */
export function decodeAt<T>(field: string, decode: () => T): T | Failure {
  try {
    return decode();
  } catch (err) {
    if (isMaterialError(err)) return fail(422, err.code, `${field}: ${err.message}`, { field, hint: err.hint });
    throw err;
  }
}

/** The first error among x509 findings as a 422; `where` maps the finding's field to the API's. */
export function firstError(findings: readonly Finding[], where: (f: Finding) => string): Failure | undefined {
  const f = findings.find((x) => x.severity === "error");
  if (!f) return undefined;
  const field = where(f);
  return fail(422, f.code, field ? `${field}: ${f.message}` : f.message, { ...(field ? { field } : {}), hint: f.hint });
}

export const findingField = (f: Finding, rename: Record<string, string> = {}): string =>
  formatField((f.field ?? []).map((p, i) => (i === 0 && typeof p === "string" ? (rename[p] ?? p) : p)));
