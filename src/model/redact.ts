import { escapeControl } from "./control-chars.js";

// Values that failed validation may be anything a user pasted, a private key included. Messages quote them
// only through here: control characters escaped, long values cut, and anything that could be key
// material never shown at all.

const KEY_MARKERS = /PRIVATE KEY|BEGIN OPENSSH|BEGIN ENCRYPTED|PRIVATE-KEY/i;
// Long runs of base64 are what a key without its armour looks like; a name or host never has one.
const BASE64_RUN = /[A-Za-z0-9+/]{40,}/;

export function looksLikeKeyMaterial(value: string): boolean {
  return KEY_MARKERS.test(value) || BASE64_RUN.test(value);
}

/** A value as it may appear in a message, in double quotes. */
export function quoteValue(value: string, max = 60): string {
  if (looksLikeKeyMaterial(value)) return "(a value that looks like key material; not shown)";
  const escaped = JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
  // JSON.stringify escapes C0 as \u00HH (shown here as \xHH); the rest of the control set it leaves raw.
  return escapeControl(escaped.replace(/\\u00([0-9a-f]{2})/g, (_, h: string) => `\\x${h.toUpperCase()}`));
}
