import { describe, expect, it } from "vitest";
import { renderDiagnosticLine } from "./diagnostic-line.js";
import { palette } from "./palette.js";

describe("renderDiagnosticLine", () => {
  it("never prints a control character raw, wherever it comes from; line breaks and colours stay", () => {
    const text = renderDiagnosticLine(
      { code: "decode-failed", at: "certs/a\u009b.pem:1:1", message: "cannot decode: bad \u001b[2J byte\u0085", details: ["x\u202ey"], hint: "check\u0007 it", see: ["b\u0000.yaml:2:3"] },
      palette(true),
    );
    expect(text.replace(/\u001b\[[0-9;]*m/g, "").replace(/\n/g, "")).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(text).toContain(String.raw`certs/a\x9B.pem:1:1`);
    expect(text).toContain(String.raw`cannot decode: bad \x1B[2J byte\x85`);
    expect(text).toContain(String.raw`x\u202ey`);
    expect(text.split("\n")).toHaveLength(5);
  });
});
