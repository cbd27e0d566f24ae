/**
 * How many runs a property test makes: `n` in the suite (seconds), times CERTFORM_FUZZ_RUNS for a deeper
 * search by hand (`CERTFORM_FUZZ_RUNS=50 npx vitest run src/stack/stack-fuzz.test.ts`).
 */
export const fuzzRuns = (n: number): number => n * Math.max(1, Number(process.env.CERTFORM_FUZZ_RUNS ?? 1) || 1);
