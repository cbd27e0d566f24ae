import { describe, expect, it } from "vitest";
import { certificateWithSpki, curveSpki, dhSpki, unloadableSpki } from "../../test/support/odd-keys.js";
import { certificateKeyShape } from "./key-shape.js";

describe("certificateKeyShape", () => {
  it("describes a key OpenSSL cannot load by its algorithm OID, with no size", () => {
    expect(certificateKeyShape(certificateWithSpki(unloadableSpki("1.2.643.7.1.1.1.1")))).toEqual({ type: "GOST R 34.10-2012", algorithm: "1.2.643.7.1.1.1.1" });
    expect(certificateKeyShape(certificateWithSpki(unloadableSpki("1.3.6.1.4.1.99999.1")))).toEqual({ type: "unknown", algorithm: "1.3.6.1.4.1.99999.1" });
  });

  it.each([
    ["brainpoolP256r1", 256],
    ["brainpoolP384t1", 384],
    ["brainpoolP512r1", 512],
    ["secp256k1", 256],
    ["prime192v1", 192],
    ["secp224r1", 224],
    ["sect571k1", 571],
    ["c2pnb163v1", 163],
    ["SM2", 256],
    ["wap-wsg-idm-ecid-wtls12", 224],
  ])("names the curve %s and its size %d", (curve, bits) => {
    expect(certificateKeyShape(certificateWithSpki(curveSpki(curve)))).toEqual({ type: "EC", curve, bits });
  });

  it("gives the size of DH keys, PKCS#3 and X9.42", () => {
    expect(certificateKeyShape(certificateWithSpki(dhSpki("pkcs3", "modp14")))).toEqual({ type: "DH", bits: 2048 });
    expect(certificateKeyShape(certificateWithSpki(dhSpki("x942", "modp15")))).toEqual({ type: "DH", bits: 3072 });
  });
});
