import { fail, type Failure } from "./failure.js";

// A commit whose journal append the file system refused. The append was cut off again (journal-writer.ts), so
// nothing was acknowledged and the node keeps serving its last state: the writer is told so, with the cause and
// the fix, as 507 Insufficient Storage ("the server is unable to store the representation"), which clients do not
// retry. Any other error stays an error of the node.

const CAUSES: Record<string, { what: string; fix: string }> = {
  ENOSPC: { what: "no space left on device", fix: "free space on the node's disk" },
  EDQUOT: { what: "disk quota exceeded", fix: "raise the quota or free space" },
  EROFS: { what: "the file system is read-only", fix: "make the node's --data directory writable again (remount it read-write)" },
  EACCES: { what: "permission denied", fix: "give the node's user write access to its --data directory" },
  EPERM: { what: "operation not permitted", fix: "give the node's user write access to its --data directory" },
  EIO: { what: "input/output error", fix: "check the node's disk" },
};

export function unwritableStore(err: unknown, dir: string): Failure | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "store-broken") return fail(507, "store-broken", (err as Error).message, { hint: "restart the node once its disk is writable" });
  const cause = code !== undefined ? CAUSES[code] : undefined;
  if (!cause) return undefined;
  return fail(507, "store-unwritable", `the node could not write its store in ${dir}: ${cause.what} (${code}); the change was refused and the node keeps serving its last state: ${cause.fix}, then try again`, { hint: `${cause.fix}, then try again` });
}
