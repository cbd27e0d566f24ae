import { beforeAll, describe, expect, it } from "vitest";
import { makePki, type Pki } from "../../../test/support/pki.js";
import { jwkThumbprint } from "../../x509/index.js";
import { PersistentMap } from "../persistent-map.js";
import { emptyState, stateFrom, type GatewayState, type StateDocument } from "../state.js";
import { isFailure, type Failure } from "./failure.js";
import { applyDelete, applyPut, preparePut, referrers } from "./mutations.js";
import type { Collection } from "../api/admin-api.js";

let a: Pki;
let b: Pki;
beforeAll(async () => {
  [a, b] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makePki({ hosts: ["api.example.com"] })]);
});

const now = new Date();
// The store hands mutations deep-frozen states: an edit in place throws here as it would there.
function freeze<T>(v: T): T {
  if (v instanceof PersistentMap) for (const x of v.values()) freeze(x);
  else if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  }
  return v;
}

/** One PUT through prepare and apply, as the admin API does it, with the revision a commit would give. */
async function put(state: GatewayState, collection: Collection, name: string, body: unknown): Promise<GatewayState> {
  const prepared = await preparePut(collection, body, now);
  if (isFailure(prepared)) throw new Error(prepared.error.message);
  const next = applyPut(freeze(state), name, prepared, state.revision + 1);
  if (isFailure(next)) throw new Error(next.error.message);
  return next === state ? state : { ...next, revision: state.revision + 1 };
}

describe("mutations", () => {
  it("return the very same state for a PUT of what is stored", async () => {
    let s = await put(emptyState("n", "e"), "certificates", "api", { chain: a.chainPem, key: a.leaf.keyPem });
    s = await put(s, "jwks", "api", { source: { certificate: "api" } });
    s = await put(s, "endpoints", "e", { url: "https://x.example.com", path: "/e", labels: { k: "v" } });
    for (const [c, n, body] of [
      ["certificates", "api", { chain: a.chainPem, key: a.leaf.keyPem }],
      ["jwks", "api", { source: { certificate: "api" } }],
      ["endpoints", "e", { url: "https://x.example.com", path: "/e", labels: { k: "v" } }],
    ] as const) {
      expect(await put(s, c, n, body)).toBe(s);
    }
    // Read back from disk (undefined members gone), still the same.
    const reread = stateFrom(JSON.parse(JSON.stringify(s)) as StateDocument);
    expect(await put(reread, "jwks", "api", { source: { certificate: "api" } })).toBe(reread);
  });

  it("re-derive linked JWKs with their certificate, keeping an explicit kid and replacing a default one", async () => {
    let s = await put(emptyState("n", "e"), "trusted", "ca", { certificate: a.root.pem });
    s = await put(s, "jwks", "auto", { source: { trusted: "ca" } });
    s = await put(s, "jwks", "named", { source: { trusted: "ca" }, kid: "k1", alg: "ES256" });
    s = await put(s, "trusted", "ca", { certificate: b.root.pem });
    const auto = s.jwks.get("auto")!;
    expect(auto.kid).toBe(jwkThumbprint(auto.jwk));
    expect(auto.jwk.x).toBe((b.root.certificate.publicKey.export({ format: "jwk" }) as { x: string }).x);
    expect(s.jwks.get("named")).toMatchObject({ kid: "k1", alg: "ES256", updatedRevision: s.revision });
    expect(referrers(s, "trusted", "ca")).toEqual(['JWK "auto"', 'JWK "named"']);
  });

  it("delete only what exists and nothing refers to", async () => {
    let s = await put(emptyState("n", "e"), "trusted", "ca", { certificate: a.root.pem });
    s = await put(s, "endpoints", "e", { url: "https://x.example.com", path: "/e" });
    s = await put(s, "trust", "t", { alias: "ca", endpoint: "e" });
    expect((applyDelete(s, "endpoints", "e") as Failure).error).toMatchObject({ code: "in-use", message: 'endpoint "e" is in use by trust binding "t"' });
    expect((applyDelete(s, "trusted", "__proto__") as Failure).status).toBe(404);
    const t = applyDelete(freeze(s), "trust", "t") as GatewayState;
    expect([...t.trust.keys()]).toEqual([]);
    expect([...s.trust.keys()]).toEqual(["t"]);
  });
});
