import { expect } from "vitest";
import { ProviderError } from "../../src/providers/provider.js";

/** Runs an in-process command, collecting what it writes to stdout and stderr instead of printing it. */
export async function quiet(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const [o, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  const grab = ((c: unknown) => chunks.push(String(c)) > 0) as typeof process.stdout.write;
  process.stdout.write = grab;
  process.stderr.write = grab;
  try {
    return { code: await fn(), out: chunks.join("") };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

/** Runs `fn`, expecting a ProviderError. */
export async function providerFailure(fn: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error("expected a ProviderError");
}
