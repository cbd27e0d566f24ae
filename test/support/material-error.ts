import { expect } from "vitest";
import { MaterialError } from "../../src/x509/errors.js";

/** The MaterialError `fn` throws (with a hint: every one tells what to do); fails the test otherwise. */
export function materialError(fn: () => unknown): MaterialError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MaterialError);
    expect((err as MaterialError).hint).not.toBe("");
    return err as MaterialError;
  }
  throw new Error("expected an error");
}
