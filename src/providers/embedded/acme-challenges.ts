import type { AcmeChallengeBody } from "../provider.js";
import type { AdminClient } from "./client.js";

// ACME challenge responses (PUT/DELETE /v1/acme/challenges/{token}): both are idempotent, so they are retried
// like reads. Only the holder of the node's lock may write them, as only a running apply orders.

export async function acmeChallenge(client: AdminClient, node: string, token: string, body: AcmeChallengeBody | null, lockHolder: string): Promise<void> {
  const path = `/v1/acme/challenges/${encodeURIComponent(token)}`;
  const headers = { "x-certform-lock-holder": lockHolder };
  await client.call(node, body ? { method: "PUT", path, body, headers, safety: "idempotent" } : { method: "DELETE", path, headers, safety: "idempotent" });
}
