import { createHash } from "node:crypto";
import { createSecureContext, type SecureContext } from "node:tls";
import type { StoredCertificate } from "../state.js";
import type { CaSet } from "./truststores.js";

/**
 * TLS contexts by certificate material and client CA set. Making one costs about a millisecond of CPU,
 * so each is made once per change and shared by every handshake that needs it; an apply carries over
 * every context whose certificate did not change.
 */
export interface ContextCache {
  /** Undefined when the certificate cannot be loaded: that host is then refused, never served another certificate. */
  get(cert: StoredCertificate, clients: CaSet): SecureContext | undefined;
  /** Contexts for the next apply to reuse: only those whose certificate is still current. */
  entries(): Map<string, SecureContext | undefined>;
}

/** Names the material, not the record: a rewrite with the same chain and key reuses the context. */
export function materialKey(cert: StoredCertificate): string {
  return createHash("sha256").update(cert.name).update("\0").update(cert.chainPem).update("\0").update(cert.keyPem).digest("hex");
}

export function contextCache(previous: Map<string, SecureContext | undefined>, current: Iterable<StoredCertificate>, warn: (message: string) => void): ContextCache {
  const materials = new Map<StoredCertificate, string>();
  for (const cert of current) materials.set(cert, materialKey(cert));
  const live = new Set(materials.values());
  const map = new Map<string, SecureContext | undefined>();
  for (const [key, ctx] of previous) if (live.has(key.slice(0, key.indexOf("|")))) map.set(key, ctx);

  return {
    get(cert, clients) {
      const material = materials.get(cert) ?? materialKey(cert);
      const key = `${material}|${clients.key}`;
      if (map.has(key)) return map.get(key);
      let ctx: SecureContext | undefined;
      try {
        // An explicit (possibly empty) CA list: without one Node would load its bundled roots, and a
        // client certificate from any public CA would verify.
        ctx = createSecureContext({ cert: cert.chainPem, key: cert.keyPem, ca: clients.cas.map((c) => c.pem) });
      } catch (err) {
        // Only the code: OpenSSL's message for a key error could in principle quote what it read.
        warn(`certificate ${JSON.stringify(cert.name)} cannot be loaded (${(err as NodeJS.ErrnoException).code ?? "error"}); its hosts are refused`);
      }
      map.set(key, ctx);
      return ctx;
    },
    entries: () => map,
  };
}
