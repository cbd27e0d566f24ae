import { escapeControl } from "../model/control-chars.js";
import type { CertificateSummaryValue, ObjectSummaryValue, ResourceChangeValue } from "../model/plan.js";

// A change as rows of attributes: its certificate as a certificate (fingerprint, subject, SANs added and
// removed, issuer, notAfter, key), then its settings as name: old → new. Values are made safe to show here,
// once, for every view: control characters escaped, PEM text never shown.

export type Mark = "+" | "-" | "~" | " ";

export type Row =
  /** One attribute: `old → value` for "~", else `value`. Fingerprints are shortened where space is short. */
  | { type: "attr"; mark: Mark; label: string; old?: string; value: string; fingerprint?: boolean; note?: string }
  /** Nodes written to, hosts touched, endpoints and JWKs affected. */
  | { type: "list"; label: string; items: string[]; note?: string }
  | { type: "drift"; node: string; detail: string };

const PEM_TEXT = /-----BEGIN |PRIVATE KEY/;
const MAX_VALUE = 256;

/**
 * A value as the views may show it: control characters escaped (so it cannot drive a terminal or break a
 * line), PEM text and anything naming a private key never shown at all.
 */
export function plain(s: string): string {
  if (PEM_TEXT.test(s)) return "(PEM text, not shown)";
  return escapeControl(s);
}

/** A setting's value, compactly: strings quoted, lists in brackets, long values cut. */
export function formatValue(v: unknown): string {
  if (v === undefined) return "(none)";
  if (typeof v === "string") {
    if (PEM_TEXT.test(v)) return "(PEM text, not shown)";
    const cut = v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE)}…` : v;
    return plain(JSON.stringify(cut));
  }
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${/^[A-Za-z_][\w.-]*$/.test(k) ? k : formatValue(k)}: ${formatValue(x)}`);
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  return plain(String(v));
}

/** A SHA-256 fingerprint in short form: its first four and last three bytes. */
export function shortFingerprint(fp: string): string {
  const parts = fp.split(":");
  return parts.length > 8 ? `${parts.slice(0, 4).join(":")}…${parts.slice(-3).join(":")}` : fp;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

// Settings are compared key by key; nested objects (labels) become dotted names. These come first, in this
// order, then any others as the plan lists them, labels last.
const PREFERRED = ["hosts", "default", "url", "path", "alias", "certificate", "endpoint", "scope", "required", "source", "kid", "use", "alg"];

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (isPlainObject(v) && Object.keys(v).length > 0) flatten(v, `${prefix}${k}.`, out);
    else out.set(`${prefix}${k}`, v);
  }
}

function settingsOf(side: ObjectSummaryValue | null): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!side) return out;
  const merged: Record<string, unknown> = { ...side.settings };
  if (side.labels) merged.labels = { ...(isPlainObject(merged.labels) ? merged.labels : {}), ...side.labels };
  if (isPlainObject(merged.labels) && Object.keys(merged.labels).length === 0) delete merged.labels;
  flatten(merged, "", out);
  return out;
}

function rank(key: string): number {
  const top = key.split(".")[0]!;
  if (top === "labels") return PREFERRED.length + 1;
  const i = PREFERRED.indexOf(top);
  return i === -1 ? PREFERRED.length : i;
}

/** Stable text for comparing two values: the same data in another key order is the same value. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "undefined";
}

export function settingRows(before: ObjectSummaryValue | null, after: ObjectSummaryValue | null): Row[] {
  const b = settingsOf(before);
  const a = settingsOf(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const ordered = keys.map((k, i) => ({ k, i })).sort((x, y) => rank(x.k) - rank(y.k) || x.i - y.i).map(({ k }) => k);
  const rows: Row[] = [];
  for (const key of ordered) {
    const label = plain(key);
    if (!b.has(key)) rows.push({ type: "attr", mark: "+", label, value: formatValue(a.get(key)) });
    else if (!a.has(key)) rows.push({ type: "attr", mark: "-", label, value: formatValue(b.get(key)) });
    else if (canonical(a.get(key)) !== canonical(b.get(key))) rows.push({ type: "attr", mark: "~", label, old: formatValue(b.get(key)), value: formatValue(a.get(key)) });
  }
  return rows;
}
/** What a certificate generated at apply time shows until then. */
export const PENDING = "(known after apply)";
const field = (s: string): string => (s === "" ? PENDING : plain(s));
const chainText = (n: number): string => (n === 1 ? "1 certificate" : `${n} certificates`);

/** Every field of one certificate, all with one mark: what a create adds or a delete removes. */
function wholeCertificate(c: CertificateSummaryValue, mark: "+" | "-"): Row[] {
  const rows: Row[] = [
    { type: "attr", mark, label: "fingerprint", value: field(c.fingerprint256), fingerprint: true },
    { type: "attr", mark, label: "subject", value: field(c.subject) },
  ];
  if (c.sans.length === 0) rows.push({ type: "attr", mark, label: "SANs", value: "(none)" });
  for (const san of c.sans) rows.push({ type: "attr", mark, label: "SAN", value: plain(san) });
  rows.push(
    { type: "attr", mark, label: "issuer", value: field(c.issuer) },
    { type: "attr", mark, label: "notAfter", value: field(c.notAfter) },
    { type: "attr", mark, label: "key type", value: field(c.keyType) },
    { type: "attr", mark, label: "key fingerprint", value: field(c.keyFingerprint256), fingerprint: true },
    { type: "attr", mark, label: "chain", value: chainText(c.chainLength) },
  );
  if (c.generated) rows.push({ type: "attr", mark, label: "generated", value: "yes, on the gateway" });
  return rows;
}

/** A field that may have changed: "~ old → new", or as context when it did not. */
function compared(label: string, b: string, a: string, fingerprint = false): Row {
  return b === a
    ? { type: "attr", mark: " ", label, value: field(a), fingerprint }
    : { type: "attr", mark: "~", label, old: field(b), value: field(a), fingerprint };
}

function certificateDiff(b: CertificateSummaryValue, a: CertificateSummaryValue): Row[] {
  if (b.fingerprint256 === a.fingerprint256 && a.fingerprint256 !== "") {
    return [
      { type: "attr", mark: " ", label: "fingerprint", value: plain(a.fingerprint256), fingerprint: true, note: "unchanged" },
      { type: "attr", mark: " ", label: "subject", value: field(a.subject) },
      { type: "attr", mark: " ", label: "notAfter", value: field(a.notAfter) },
    ];
  }
  const rows: Row[] = [compared("fingerprint", b.fingerprint256, a.fingerprint256, true), compared("subject", b.subject, a.subject)];
  const kept = new Set(b.sans);
  const now = new Set(a.sans);
  if (a.sans.length === 0 && b.sans.length === 0) rows.push({ type: "attr", mark: " ", label: "SANs", value: "(none)" });
  for (const san of a.sans) rows.push({ type: "attr", mark: kept.has(san) ? " " : "+", label: "SAN", value: plain(san) });
  for (const san of b.sans) if (!now.has(san)) rows.push({ type: "attr", mark: "-", label: "SAN", value: plain(san) });
  rows.push(compared("issuer", b.issuer, a.issuer), compared("notAfter", b.notAfter, a.notAfter), compared("key type", b.keyType, a.keyType));
  if (b.keyFingerprint256 === a.keyFingerprint256 && a.keyFingerprint256 !== "") {
    rows.push({ type: "attr", mark: " ", label: "key fingerprint", value: plain(a.keyFingerprint256), fingerprint: true, note: "same key" });
  } else {
    rows.push(compared("key fingerprint", b.keyFingerprint256, a.keyFingerprint256, true));
  }
  if (b.chainLength !== a.chainLength) rows.push({ type: "attr", mark: "~", label: "chain", old: chainText(b.chainLength), value: chainText(a.chainLength) });
  if (Boolean(b.generated) !== Boolean(a.generated)) rows.push({ type: "attr", mark: "~", label: "generated", old: b.generated ? "yes" : "no", value: a.generated ? "yes" : "no" });
  return rows;
}

const CERTIFICATE_KINDS = new Set<string>(["certificates", "trustedCertificates"]);

export function certificateRows(change: ResourceChangeValue): Row[] {
  const b = change.before?.certificate;
  const a = change.after?.certificate;
  // A certificate the gateway generates at apply time has no content yet: say so rather than show nothing.
  const pending = !a && change.after !== null && CERTIFICATE_KINDS.has(change.kind) && (change.action === "create" || change.action === "replace");
  if (a && b) return certificateDiff(b, a);
  if (a) return wholeCertificate(a, "+");
  if (b && pending) {
    return [
      { type: "attr", mark: "~", label: "fingerprint", old: field(b.fingerprint256), value: PENDING, fingerprint: true },
      { type: "attr", mark: " ", label: "subject", value: field(b.subject) },
      { type: "attr", mark: "~", label: "notAfter", old: field(b.notAfter), value: PENDING },
    ];
  }
  if (b) return wholeCertificate(b, "-");
  // A signing request: the certificate comes from the outside CA, after apply has the gateways make the key.
  if (pending && change.after?.settings.csr !== undefined) return [{ type: "attr", mark: "+", label: "certificate", value: "(signed by the outside CA for the key apply makes: certform csr writes the request)" }];
  return pending ? [{ type: "attr", mark: "+", label: "certificate", value: PENDING }] : [];
}
