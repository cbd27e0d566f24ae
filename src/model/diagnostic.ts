/** A place in a stack source file; line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/**
 * An error or warning about a stack, pointing at the most specific place it can.
 * `code` is a stable kebab-case identifier; `hint` says what to do about it.
 */
export interface Diagnostic extends SourcePosition {
  severity: "error" | "warning";
  code: string;
  address?: string;
  message: string;
  hint: string;
  /** Other places involved, e.g. the first declaration of a duplicate. */
  related?: SourcePosition[];
}

export function formatPosition(p: SourcePosition): string {
  return `${p.file}:${p.line}:${p.column}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Thrown when a stack cannot be loaded at all; carries every diagnostic found so far. */
export class StackError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${formatPosition(d)}: ${d.message}`).join("\n"));
    this.name = "StackError";
  }
}
