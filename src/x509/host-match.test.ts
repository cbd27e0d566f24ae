import { describe, expect, it } from "vitest";
import { leaf } from "../../test/support/pki.js";
import { dnsSans, hostCovered, hostProblem, ipSans } from "./host-match.js";

describe("hostCovered (RFC 6125)", () => {
  it("matches exact names case-insensitively; a host with a trailing dot is invalid and covered by nothing", () => {
    expect(hostCovered("API.Example.com", ["DNS:api.example.com"])).toBe(true);
    expect(hostCovered("api.example.com", ["DNS:api.example.com."])).toBe(true);
    expect(hostCovered("api.example.com.", ["api.example.com"])).toBe(false);
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

  it("never lets a wildcard cover a bare suffix like *.com, nor any public suffix (ICANN and private)", () => {
    expect(hostCovered("example.com", ["DNS:*.com"])).toBe(false);
    expect(hostCovered("example.co.uk", ["DNS:*.co.uk"])).toBe(false);
    expect(hostCovered("bucket.s3.amazonaws.com", ["DNS:*.s3.amazonaws.com"])).toBe(false);
    expect(hostCovered("someone.github.io", ["DNS:*.GitHub.io"])).toBe(false);
    expect(hostCovered("www.example.co.uk", ["DNS:*.example.co.uk"])).toBe(true);
    expect(hostCovered("api.dev.internal", ["DNS:*.dev.internal"])).toBe(true);
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

  it("takes internationalized names in their punycode form, and says so for the Unicode form", () => {
    expect(hostCovered("xn--bcher-kva.example.com", ["DNS:xn--bcher-kva.example.com"])).toBe(true);
    expect(hostCovered("bücher.example.com", ["DNS:xn--bcher-kva.example.com"])).toBe(false);
    expect(hostProblem("bücher.example.com")).toBe(
      'it contains "ü" (U+00FC); a host name has only letters, digits, \'-\' and \'.\': write an internationalized name in its punycode form, "xn--bcher-kva.example.com"',
    );
  });

  it("refuses hosts with control characters", () => {
    expect(hostProblem("api\0.example.com")).toMatch(/U\+0000/);
    expect(hostProblem("api.example.com\n")).toMatch(/U\+000A/);
    expect(hostProblem("ok.example.com")).toBeUndefined();
    expect(hostCovered("api.example.com\0", ["DNS:api.example.com\0"])).toBe(false);
  });

  it("accepts DNS names, wildcards as the whole left-most label, and IP literals", () => {
    for (const host of ["api.example.com", "localhost", "a-b.c1.example.com", "*.dev.example.com", "*.example.com", "10.0.0.1", "::1", "[::1]", "2001:db8::7", `${"a".repeat(63)}.example.com`]) {
      expect(hostProblem(host), host).toBeUndefined();
    }
  });

  it("refuses every malformed host, saying why", () => {
    const cases: [string, RegExp][] = [
      ["", /it is empty/],
      ["api.example.com.", /ends with a dot/],
      ["api example.com", /white space \(U\+0020\)/],
      ["api.example.com\u00a0", /white space \(U\+00A0\)/],
      ["\tapi.example.com", /control character U\+0009/],
      ["api\x7f.example.com", /control character U\+007F/],
      ["api..example.com", /empty label/],
      [".example.com", /starts with a dot/],
      [`${"a".repeat(64)}.example.com`, /label 1 is 64 characters long; a label has at most 63/],
      [`${"abcdefgh.".repeat(28)}com`, /255 characters long; a host name has at most 253/],
      ["api_v1.example.com", /contains "_"; a host name has only letters, digits/],
      ["api!.example.com", /contains "!"/],
      ["-api.example.com", /label 1 starts with '-'/],
      ["api-.example.com", /label 1 ends with '-'/],
      ["api.example-.com", /label 2 ends with '-'/],
      ["api.*.example.com", /wildcard may only be the whole left-most label/],
      ["a*.example.com", /wildcard may only be the whole left-most label/],
      ["**.example.com", /wildcard may only be the whole left-most label/],
      ["*.com", /wildcard needs at least two labels after it/],
      ["*.co.uk", /"co\.uk" is a public suffix \(Public Suffix List\).*as in \*\.example\.co\.uk/],
      ["*.s3.amazonaws.com", /"s3\.amazonaws\.com" is a public suffix/],
      ["*.eu-west-1.compute.amazonaws.com", /is a public suffix/],
      ["*", /wildcard needs at least two labels after it/],
      ["https://api.example.com", /contains ":"/],
    ];
    for (const [host, reason] of cases) expect(hostProblem(host), JSON.stringify(host)).toMatch(reason);
    for (const ok of ["*.example.co.uk", "*.my-bucket.s3.amazonaws.com", "*.dev.internal", "co.uk"]) expect(hostProblem(ok), ok).toBeUndefined();
  });

  it("never shows a control character raw", () => {
    for (const ch of ["\0", "\n", "\u001b", "\u0085"]) {
      const problem = hostProblem(`api${ch}.example.com`)!;
      expect(problem).toMatch(/U\+00[0-9A-F]{2}/);
      expect(problem).not.toContain(ch);
    }
  });

  it("reads DNS and IP SANs from a certificate", async () => {
    const { certificate } = await leaf({ hosts: ["a.example.com", "*.b.example.com", "10.1.2.3", "::1"] });
    expect(dnsSans(certificate)).toEqual(["a.example.com", "*.b.example.com"]);
    expect(ipSans(certificate)).toEqual(["10.1.2.3", "::1"]);
  });
});
