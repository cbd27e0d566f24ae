/**
 * The one error type of certificate material. `code` is a stable kebab-case identifier that
 * callers map to findings; `message` says what the input really is, `hint` what to do about it.
 */
export class MaterialError extends Error {
  readonly code: string;
  readonly hint: string;

  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MaterialError";
    this.code = code;
    this.hint = hint;
  }
}

export function isMaterialError(err: unknown): err is MaterialError {
  return err instanceof MaterialError;
}
