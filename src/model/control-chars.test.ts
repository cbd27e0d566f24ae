import { describe, expect, it } from "vitest";
import { escapeControl, hasControl, jsonText } from "./control-chars.js";
import { quoteValue } from "./redact.js";

const RAW = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe("control characters", () => {
  const nasty = "a\u0000b\u001b[2Jc\u007fd\u0085e\u009b31mf\u202eg\u2028h\u2066i";

  it("escapes C0, DEL, C1, bidirectional and line-separator characters; leaves other text alone", () => {
    expect(escapeControl(nasty)).toBe(String.raw`a\x00b\x1B[2Jc\x7Fd\x85e\x9B31mf\u202eg\u2028h\u2066i`);
    expect(escapeControl("Zürich – 東京 ünïcode")).toBe("Zürich – 東京 ünïcode");
    expect(hasControl(nasty)).toBe(true);
    expect(hasControl("api.example.com")).toBe(false);
  });

  it("quoteValue shows none of them raw", () => {
    expect(quoteValue(nasty)).not.toMatch(RAW);
    expect(quoteValue("x\u009by")).toBe(String.raw`"x\x9By"`);
  });

  it("jsonText writes them as \\u escapes: the same value to a parser, nothing raw on a terminal", () => {
    const value = { subject: nasty, list: ["\u0085"] };
    const text = jsonText(value);
    // Only the line breaks of the indentation are left.
    expect(text.replace(/\n/g, "")).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(value);
  });
});
