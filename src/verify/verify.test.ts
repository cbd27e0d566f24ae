import { describe, expect, it } from "vitest";
import { listenerOf, listenOf, planHandshakes } from "./verify.js";

const cert = (address: string, hosts: string[], isDefault = false) => ({ address, hosts, fingerprint256: `FP-${address}`, default: isDefault });

describe("planHandshakes", () => {
  it("one handshake per name, a probe label for a wildcard, none for an address or the default", () => {
    const plans = planHandshakes([cert("certificates.api", ["API.example.com.", "*.example.com"]), cert("certificates.ip", ["10.0.0.1", "::1"]), cert("certificates.fb", ["fb.example.net"], true)]);
    expect(plans.map((p) => [p.sni, p.checks.map((c) => `${c.kind}:${c.host ?? "-"}:${c.claimants.map((x) => x.address).join("+")}`)])).toEqual([
      ["api.example.com", ["name:api.example.com:certificates.api"]],
      ["certform-verify.example.com", ["wildcard:*.example.com:certificates.api"]],
      [undefined, ["address:10.0.0.1:certificates.ip", "address:::1:certificates.ip", "default:-:certificates.fb"]],
      ["fb.example.net", ["name:fb.example.net:certificates.fb"]],
    ]);
  });

  it("a host claimed by several certificates accepts any of them; the probe label avoids a declared name", () => {
    const plans = planHandshakes([cert("certificates.a", ["x.example.com", "*.example.com"]), cert("certificates.b", ["X.example.com", "certform-verify.example.com"])]);
    expect(plans.find((p) => p.sni === "x.example.com")!.checks[0]!.claimants.map((c) => c.address)).toEqual(["certificates.a", "certificates.b"]);
    expect(plans.find((p) => p.checks.some((c) => c.kind === "wildcard"))!.sni).toBe("certform-verify-1.example.com");
  });

  it("nothing to check without certificates", () => {
    expect(planHandshakes([])).toEqual([]);
  });
});

describe("listenerOf and listenOf", () => {
  it("reads host and port from the data plane URL, IPv6 without brackets", () => {
    expect(listenerOf("https://127.0.0.1:8443")).toEqual({ host: "127.0.0.1", port: 8443 });
    expect(listenerOf("https://[::1]:9443")).toEqual({ host: "::1", port: 9443 });
    expect(listenerOf("gw.internal:8443")).toEqual({ host: "gw.internal", port: 8443 });
    expect(listenerOf("https://gw.internal")).toEqual({ host: "gw.internal", port: 443 });
  });

  it("a node listening on every interface is reached where its admin API is", () => {
    expect(listenerOf("https://0.0.0.0:8443", "http://gw-2.internal:8081")).toEqual({ host: "gw-2.internal", port: 8443 });
    expect(listenerOf("https://[::]:8443", "https://[fd00::2]:8081")).toEqual({ host: "fd00::2", port: 8443 });
    expect(listenerOf("https://0.0.0.0:8443")).toEqual({ host: "127.0.0.1", port: 8443 });
  });

  it("refuses what is not a URL", () => {
    expect(() => listenerOf("https://")).toThrow(/not a data plane URL/);
  });

  it("listenOf reads /v1/status's listen", () => {
    expect(listenOf({ node: "n", listen: "https://127.0.0.1:1" })).toBe("https://127.0.0.1:1");
    expect(listenOf({ node: "n" })).toBeUndefined();
    expect(listenOf(null)).toBeUndefined();
  });
});
