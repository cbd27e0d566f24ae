import { quoteValue } from "../model/redact.js";
import { MaterialError } from "./errors.js";
import { looksLikePem } from "./pem.js";

export type Base64Encoding = "BASE64" | "BASE64PEM";

/**
 * Strict base64: whitespace and line breaks are allowed, anything else outside the alphabet and
 * wrong padding are errors. Cleaning such input silently would accept truncated or mangled material.
 */
export function decodeBase64(text: string, encoding: Base64Encoding): Buffer {
  const compact = text.replace(/[ \t\r\n]+/g, "");
  if (compact === "") throw new MaterialError("empty", "the base64 value is empty", "paste the base64 text of the certificate");

  const bad = compact.match(/[^A-Za-z0-9+/=]/);
  if (bad) {
    // Only the offending character is named (it cannot be part of base64 content), by code point.
    const ch = bad[0];
    const point = `U+${ch.codePointAt(0)!.toString(16).padStart(4, "0").toUpperCase()}`;
    const shown = /[\x00-\x1f\x7f-\x9f]/.test(ch) ? point : `${quoteValue(ch)} (${point})`;
    const urlSafe = ch === "-" || ch === "_";
    throw new MaterialError(
      "base64-invalid",
      `base64 contains ${shown} at character ${text.indexOf(ch) + 1}, which is outside the base64 alphabet`,
      urlSafe
        ? "this looks like URL-safe base64 (- and _): convert it to standard base64 (+ and /)"
        : "use standard base64 (A-Z, a-z, 0-9, +, /, = padding); line breaks are allowed",
    );
  }
  const firstPad = compact.indexOf("=");
  if (firstPad !== -1 && (firstPad < compact.length - 2 || /[^=]/.test(compact.slice(firstPad)))) {
    throw new MaterialError("base64-invalid", "base64 has \"=\" padding in the middle of the data", "base64 pads with \"=\" only at the very end; was the value concatenated from pieces?");
  }
  if (compact.length % 4 !== 0) {
    throw new MaterialError(
      "base64-invalid",
      `base64 has bad padding: its length without whitespace is ${compact.length}, not a multiple of 4`,
      "the value is truncated or lost its \"=\" padding; copy it again whole",
    );
  }
  const bytes = Buffer.from(compact, "base64");
  // Non-zero bits in the last character's unused part mean the text was not produced by an encoder.
  if (bytes.toString("base64") !== compact) {
    throw new MaterialError("base64-invalid", "base64 has bad padding: the last character carries stray bits", "copy the value again whole");
  }

  const isPem = looksLikePem(bytes.toString("latin1"));
  if (encoding === "BASE64PEM" && !isPem) {
    throw new MaterialError(
      "base64-encoding-mismatch",
      "encoding is BASE64PEM but the base64 does not decode to PEM text",
      bytes[0] === 0x30 ? "it decodes to DER bytes: use encoding: BASE64" : "encode the PEM file itself (base64 -w0 cert.pem)",
    );
  }
  if (encoding === "BASE64" && isPem) {
    throw new MaterialError(
      "base64-encoding-mismatch",
      "encoding is BASE64 (DER) but the base64 decodes to PEM text",
      "use encoding: BASE64PEM",
    );
  }
  return bytes;
}
