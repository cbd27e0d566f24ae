/** One result of a certificate check; the stack layer turns it into a diagnostic at `field`. */
export interface Finding {
  severity: "error" | "warning";
  /** Stable kebab-case identifier, e.g. "key-mismatch". */
  code: string;
  /** Says what is wrong; quotes user input only through quoteValue and never shows key material. */
  message: string;
  hint: string;
  /** Where in the resource the finding belongs, relative to the resource: ["key"], ["hosts", 2]. */
  field?: (string | number)[];
  /**
   * Point at the key of `field` (`key:`, `hosts:`) rather than at its value. Absent: the caller's
   * default (the value when there is a field).
   */
  at?: "key" | "value";
}

export const CERTIFICATE_FIELD = ["certificate"];
