import { describe, expect, it } from "vitest";
import { leaf } from "../../test/support/pki.js";
import { dnsSans, hostCovered, hostProblem, ipSans } from "./host-match.js";

describe("hostCovered (RFC 6125)", () => {
  it("matches exact names case-insensitively, with or without a trailing dot", () => {
    expect(hostCovered("API.Example.com", ["DNS:api.example.com"])).toBe(true);
    expect(hostCovered("api.example.com.", ["api.example.com"])).toBe(true);
    expect(hostCovered("www.example.com", ["DNS:api.example.com"])).toBe(false);
  });

  it("lets a wildcard stand for exactly one whole left-most label", () => {
    const sans = ["DNS:*.example.com"];
    expect(hostCovered("api.example.com", sans)).toBe(true);
    expect(hostCovered("a.b.example.com", sans)).toBe(false);
    expect(hostCovered("example.com", sans)).toBe(false);
    expect(hostCovered(".example.com", sans)).toBe(false);
    expect(hostCovered("api.example.com", ["DNS:a*.example.com"])).toBe(false);
    expect(hostCovered("api.example.com", ["DNS:api.*.com"])).toBe(false);
  });

  it("never lets a wildcard cover a bare suffix like *.com", () => {
    expect(hostCovered("example.com", ["DNS:*.com"])).toBe(false);
    expect(hostCovered("example.co.uk", ["DNS:*.co.uk"])).toBe(true);
  });

  it("matches a wildcard host only with the same wildcard", () => {
    expect(hostCovered("*.dev.example.com", ["DNS:*.dev.example.com"])).toBe(true);
    expect(hostCovered("*.dev.example.com", ["DNS:api.dev.example.com"])).toBe(false);
  });

  it("matches IP hosts against IP SANs only, in canonical form", () => {
    expect(hostCovered("127.0.0.1", ["IP:127.0.0.1"])).toBe(true);
    expect(hostCovered("127.0.0.1", ["DNS:127.0.0.1"])).toBe(false);
    expect(hostCovered("::1", ["IP Address:0:0:0:0:0:0:0:1"])).toBe(true);
    expect(hostCovered("[::1]", ["::1"])).toBe(true);
    expect(hostCovered("10.0.0.1", ["DNS:*.0.0.1"])).toBe(false);
    expect(hostCovered("api.example.com", ["IP:10.0.0.1"])).toBe(false);
  });

  it("matches internationalized names by their punycode form", () => {
    expect(hostCovered("bücher.example.com", ["DNS:xn--bcher-kva.example.com"])).toBe(true);
  });

  it("refuses hosts with control characters", () => {
    expect(hostProblem("api\0.example.com")).toMatch(/U\+0000/);
    expect(hostProblem("api.example.com\n")).toMatch(/U\+000A/);
    expect(hostProblem("ok.example.com")).toBeUndefined();
    expect(hostCovered("api.example.com\0", ["DNS:api.example.com\0"])).toBe(false);
  });

  it("reads DNS and IP SANs from a certificate", async () => {
    const { certificate } = await leaf({ hosts: ["a.example.com", "*.b.example.com", "10.1.2.3", "::1"] });
    expect(dnsSans(certificate)).toEqual(["a.example.com", "*.b.example.com"]);
    expect(ipSans(certificate)).toEqual(["10.1.2.3", "::1"]);
  });
});
