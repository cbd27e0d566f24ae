import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress } from "./address.js";

describe("addresses", () => {
  it("round-trips resource and instance addresses", () => {
    for (const text of ["certificates.api", "certificates.api[prod]", "trustedCertificates.billing-ca[dev]", "jwks.signing.v2"]) {
      expect(formatAddress(parseAddress(text))).toBe(text);
    }
    expect(parseAddress("endpoints.billing[prod]")).toEqual({ kind: "endpoints", name: "billing", environment: "prod" });
  });

  it("refuses unknown kinds and malformed text with the form to write", () => {
    expect(() => parseAddress("certs.api")).toThrow(/KIND\.NAME\[ENVIRONMENT\]/);
    expect(() => parseAddress("certificates.api[prod")).toThrow(/not an address/);
    expect(() => parseAddress("certificates.")).toThrow(/not an address/);
  });
});
