/** Exit codes of every command (contract section 2). */
export const EXIT = {
  ok: 0,
  /** Bad input, failed operation, failed verification, lock held, stale plan. */
  error: 1,
  /** Attention: changes found with --detailed-exitcode, certificates inside the expiry window. */
  attention: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
