import { createSecureContext, type SecureContext } from "node:tls";
import type { AcmeChallengeRequestBody } from "./api/admin-api.js";
import { normalizeName } from "./data-plane/host-names.js";
import { fail, type Failure } from "./store/index.js";

// ACME challenge responses that a running apply asked this node to serve. They live in memory only: an
// order takes seconds, a restarted node has no order running, and a response left behind by a killed
// apply ends by itself after a while.

const TTL_MS = 15 * 60_000;

type Entry = { expires: number } & ({ type: "http-01"; keyAuthorization: string } | { type: "tls-alpn-01"; host: string; context: SecureContext });

export interface AcmeChallenges {
  /** Serves the response from now on; a failure when the token does not match or the certificate does not load. */
  put(token: string, body: AcmeChallengeRequestBody): Failure | undefined;
  /** Whether there was one. */
  delete(token: string): boolean;
  /** The key authorization to answer GET /.well-known/acme-challenge/TOKEN with. */
  httpResponse(token: string): string | undefined;
  /** The acme-tls/1 context for a handshake naming `servername`. Cheap when no challenge is pending. */
  tlsAlpnContext(servername: string | undefined): SecureContext | undefined;
}

/** `httpListener`: whether the node runs an http-01 listener (`--http`); without one http-01 is refused at once. */
export function acmeChallenges(opts: { httpListener: boolean; now?: () => number }): AcmeChallenges {
  const now = opts.now ?? Date.now;
  const byToken = new Map<string, Entry>();
  const byHost = new Map<string, Entry & { type: "tls-alpn-01" }>();
  const live = <E extends Entry>(e: E | undefined): E | undefined => (e && e.expires > now() ? e : undefined);
  const remove = (token: string) => {
    const e = byToken.get(token);
    if (!e) return false;
    byToken.delete(token);
    if (e.type === "tls-alpn-01" && byHost.get(e.host) === e) byHost.delete(e.host);
    return true;
  };
  return {
    put(token, body) {
      const expires = now() + TTL_MS;
      if (body.type === "http-01") {
        // Refused here, before the CA is asked to check: its check would only fail to connect.
        if (!opts.httpListener) return fail(409, "no-http-listener", "this node has no plain HTTP listener, so it cannot answer http-01", { hint: "start the node with --http HOST:PORT (port 80 as the CA sees it), or use challenge: tls-alpn-01" });
        if (body.token !== token) return fail(400, "token-mismatch", "the body's token is not the token in the path");
        remove(token);
        byToken.set(token, { type: "http-01", keyAuthorization: body.keyAuthorization, expires });
        return undefined;
      }
      let context: SecureContext;
      try {
        // OpenSSL refuses a key that is not the certificate's here, so a bad pair fails the PUT, not the CA's check.
        context = createSecureContext({ cert: body.certificate, key: body.key });
      } catch {
        return fail(400, "challenge-certificate-invalid", "the tls-alpn-01 certificate and key do not load as a pair", { hint: "send the PEM certificate from acme.crypto.createAlpnCertificate and its key" });
      }
      remove(token);
      const entry = { type: "tls-alpn-01" as const, host: normalizeName(body.host), context, expires };
      byToken.set(token, entry);
      byHost.set(entry.host, entry);
      return undefined;
    },
    delete: remove,
    httpResponse(token) {
      const e = live(byToken.get(token));
      return e?.type === "http-01" ? e.keyAuthorization : undefined;
    },
    tlsAlpnContext(servername) {
      if (byHost.size === 0 || !servername) return undefined;
      return live(byHost.get(normalizeName(servername)))?.context;
    },
  };
}
