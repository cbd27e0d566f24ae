import type { GatewayState } from "../state.js";

// RFC 7518 §6.2.2, §6.3.2, §6.4.1 and RFC 8037 §2: the members that make a JWK private. The store keeps
// public JWKs only; dropping these here means a mistake there still never publishes a key.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** The JWK Set document (RFC 7517 §5), in name order so that equal stores give equal bytes. */
export function jwksDocument(state: GatewayState): string {
  const keys = [...state.jwks.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => {
      const jwk = { ...entry.jwk };
      for (const m of PRIVATE_MEMBERS) delete jwk[m];
      return jwk;
    });
  return JSON.stringify({ keys });
}
