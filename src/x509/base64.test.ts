import { describe, expect, it } from "vitest";
import { decodeBase64 } from "./base64.js";
import { MaterialError } from "./errors.js";

const der = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]);
const pem = "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n";

function fails(text: string, encoding: "BASE64" | "BASE64PEM"): MaterialError {
  try {
    decodeBase64(text, encoding);
  } catch (err) {
    expect(err).toBeInstanceOf(MaterialError);
    return err as MaterialError;
  }
  throw new Error("expected an error");
}

describe("decodeBase64", () => {
  it("BASE64 decodes DER bytes, with whitespace and line breaks allowed", () => {
    const b64 = Buffer.from("hello world, some longer DER-ish bytes").toString("base64");
    expect(decodeBase64(der.toString("base64"), "BASE64")).toEqual(der);
    expect(decodeBase64(`  ${b64.slice(0, 8)}\r\n${b64.slice(8)}\n`, "BASE64").toString()).toBe("hello world, some longer DER-ish bytes");
  });

  it("BASE64PEM decodes to the PEM text", () => {
    expect(decodeBase64(Buffer.from(pem).toString("base64"), "BASE64PEM").toString()).toBe(pem);
  });

  it("refuses characters outside the alphabet, naming the character and its position", () => {
    const e = fails("MAMC!AQU=", "BASE64");
    expect(e.code).toBe("base64-invalid");
    expect(e.message).toBe('base64 contains "!" (U+0021) at character 5, which is outside the base64 alphabet');
  });

  it("refuses a NUL and names it by code point, never raw", () => {
    const e = fails("MAMC\0AQU=", "BASE64");
    expect(e.code).toBe("base64-invalid");
    expect(e.message).toContain("U+0000");
    expect(e.message).not.toContain("\0");
  });

  it("points at URL-safe base64", () => {
    const e = fails("MA-C_QU=", "BASE64");
    expect(e.code).toBe("base64-invalid");
    expect(e.hint).toMatch(/URL-safe/);
  });

  it("refuses missing padding, padding in the middle and stray bits", () => {
    expect(fails("MAMCAQU", "BASE64").message).toMatch(/bad padding.*length.*7/);
    expect(fails("MAM=CAQU", "BASE64").message).toMatch(/padding in the middle/);
    expect(fails("MAMCAQV=", "BASE64").message).toMatch(/bad padding.*stray bits/);
    for (const text of ["MAMCAQU", "MAM=CAQU", "MAMCAQV=", "MAMCAQU==="]) expect(fails(text, "BASE64").code).toBe("base64-invalid");
  });

  it("refuses an encoding that does not match the content", () => {
    const e1 = fails(der.toString("base64"), "BASE64PEM");
    expect(e1.code).toBe("base64-encoding-mismatch");
    expect(e1.hint).toMatch(/encoding: BASE64$/);
    const e2 = fails(Buffer.from(pem).toString("base64"), "BASE64");
    expect(e2.code).toBe("base64-encoding-mismatch");
    expect(e2.hint).toMatch(/BASE64PEM/);
  });

  it("refuses an empty value", () => {
    expect(fails(" \n", "BASE64").code).toBe("empty");
  });
});
