import { createHash } from "node:crypto";
import { createSecureContext, type SecureContext } from "node:tls";
import type { StoredCertificate } from "../state.js";
import type { EntryChange } from "../persistent-map.js";
import type { CaSet } from "./truststores.js";

/**
 * TLS contexts by stored certificate and client CA set. Making one costs about a millisecond of CPU, so
 * none is made before a handshake (or an apply that wrote its certificate) needs it, and each is made
 * once and shared by every handshake that needs it; an apply carries the contexts of a certificate
 * rewritten with the same chain and key over to the new record.
 */
export interface ContextCache {
  /** Undefined when the certificate cannot be loaded: that host is then refused, never served another certificate. */
  get(cert: StoredCertificate, clients: CaSet): SecureContext | undefined;
  /** Carries contexts over to records rewritten with the same material; those of replaced records go with them. */
  carry(changes: Iterable<EntryChange<StoredCertificate>>): void;
}

const materialKeys = new WeakMap<StoredCertificate, string>();

/** Names the material, not the record: a rewrite with the same chain and key has the same key. Once per record. */
export function materialKey(cert: StoredCertificate): string {
  let key = materialKeys.get(cert);
  if (key === undefined) {
    key = createHash("sha256").update(cert.name).update("\0").update(cert.chainPem).update("\0").update(cert.keyPem).digest("hex");
    materialKeys.set(cert, key);
  }
  return key;
}

export function contextCache(warn: (message: string) => void): ContextCache {
  // Keyed by the record itself: a record that is no longer stored (nor in a snapshot still in use) is
  // collected with its contexts, without a sweep over every certificate at each apply.
  const byRecord = new WeakMap<StoredCertificate, Map<string, SecureContext | undefined>>();
  return {
    get(cert, clients) {
      let contexts = byRecord.get(cert);
      if (!contexts) byRecord.set(cert, (contexts = new Map()));
      if (contexts.has(clients.key)) return contexts.get(clients.key);
      let ctx: SecureContext | undefined;
      try {
        // An explicit (possibly empty) CA list: without one Node would load its bundled roots, and a
        // client certificate from any public CA would verify.
        ctx = createSecureContext({ cert: cert.chainPem, key: cert.keyPem, ca: clients.cas.map((c) => c.pem) });
      } catch (err) {
        // Only the code: OpenSSL's message for a key error could in principle quote what it read.
        warn(`certificate ${JSON.stringify(cert.name)} cannot be loaded (${(err as NodeJS.ErrnoException).code ?? "error"}); its hosts are refused`);
      }
      contexts.set(clients.key, ctx);
      return ctx;
    },
    carry(changes) {
      for (const { before, after } of changes) {
        if (!before || !after || byRecord.has(after)) continue;
        const contexts = byRecord.get(before);
        if (contexts && before.name === after.name && before.chainPem === after.chainPem && before.keyPem === after.keyPem) byRecord.set(after, contexts);
      }
    },
  };
}
