import { describe, expect, it } from "vitest";
import { createRegistry, providerFor, providerKinds, registerProvider, type Provider } from "./index.js";
import { timeoutMs } from "./embedded/settings.js";

const embedded = { type: "embedded" as const, nodes: ["http://127.0.0.1:8081"], timeout: "10s" };
const fake = (kind: string): Provider => ({
  kind,
  capabilities: () => ({ generate: false, jwks: false, clientTrust: false, managementTrust: false, batch: false, lock: false }),
  read: async (node) => ({ node, revision: 0, objects: [] }),
  apply: async () => ({ revision: 0 }),
  lock: async (_node, holder, purpose) => ({ holder, purpose, since: "", expiresAt: "" }),
  unlock: async () => undefined,
  forceUnlock: async () => undefined,
});

describe("provider registry", () => {
  it("has the embedded provider registered by default, with every capability", () => {
    expect(providerKinds()).toContain("embedded");
    const p = providerFor(embedded);
    expect(p.kind).toBe("embedded");
    expect(Object.values(p.capabilities()).every(Boolean)).toBe(true);
    p.close?.();
  });

  it("refuses a kind registered twice", () => {
    expect(() => registerProvider("embedded", () => fake("embedded"))).toThrow(/already registered/);
    const registry = createRegistry();
    registry.register("fake", () => fake("fake"));
    expect(() => registry.register("fake", () => fake("fake"))).toThrow(/"fake" is already registered/);
  });

  it("has the haproxy provider, which says what HAProxy cannot hold", () => {
    const haproxy = { type: "haproxy" as const, nodes: ["unix:///run/haproxy/admin.sock"], listen: "127.0.0.1:8443", dir: "/tmp" };
    const p = providerFor(haproxy);
    expect(p.kind).toBe("haproxy");
    expect(p.capabilities()).toMatchObject({ jwks: false, managementTrust: false, clientTrust: false, defaultCertificate: false, lock: true });
  });

  it("names the known kinds when asked for an unknown one", () => {
    const other = { type: "nginx", nodes: [] } as unknown as Parameters<typeof providerFor>[0];
    expect(() => providerFor(other)).toThrow(/no provider for gateway type "nginx"; known: embedded, haproxy/);
    expect(() => createRegistry().providerFor(embedded)).toThrow(/known: \(none\)/);
  });

  it("builds providers from a registry of its own", () => {
    const registry = createRegistry();
    registry.register("embedded", () => fake("embedded-fake"));
    expect(registry.providerFor(embedded).kind).toBe("embedded-fake");
    expect(registry.kinds()).toEqual(["embedded"]);
  });
});

describe("embedded settings", () => {
  it("reads the gateway timeout", () => {
    expect(timeoutMs("10s")).toBe(10_000);
    expect(timeoutMs("500ms")).toBe(500);
    expect(() => timeoutMs("10m")).toThrow(/10s or 500ms/);
  });

  it("refuses a token with control characters or still unexpanded, without showing it", () => {
    expect(() => providerFor({ ...embedded, token: "s3cret\n" }, { tokenVariable: "CERTFORM_DEV_TOKEN" })).toThrow(/CERTFORM_DEV_TOKEN\) contains control characters/);
    expect(() => providerFor({ ...embedded, token: "s3cret\n" })).not.toThrow(/s3cret/);
    expect(() => providerFor({ ...embedded, token: "${env:CERTFORM_DEV_TOKEN}" })).toThrow(/expand the gateway settings/);
  });
});
