import { CertificateCopy } from "../../gateway/api/admin-api.js";
import { decodePrivateKey } from "../../x509/index.js";
import type { GeneratedCopy } from "../provider.js";
import type { AdminClient } from "./client.js";
import { badResponse } from "./errors.js";

// Copying a generated certificate: its chain and key from one node, so that apply can give the environment's
// other nodes the same one. The key is turned into a KeyObject at once and never logged or quoted.

export async function copyGenerated(client: AdminClient, node: string, name: string, lockHolder: string): Promise<GeneratedCopy> {
  const path = `/v1/certificates/${encodeURIComponent(name)}/copy`;
  const res = await client.call(node, { method: "POST", path, headers: { "x-certform-lock-holder": lockHolder }, safety: "idempotent" });
  const parsed = CertificateCopy.safeParse(res.json);
  if (!parsed.success) throw badResponse({ node, method: "POST", path, attempts: 1 }, res.status, "not a certificate copy");
  let key;
  try {
    key = decodePrivateKey(parsed.data.key);
  } catch {
    throw badResponse({ node, method: "POST", path, attempts: 1 }, res.status, "the copy's key does not decode");
  }
  return { chain: parsed.data.chain, key, fingerprint256: parsed.data.fingerprint256, keyFingerprint256: parsed.data.keyFingerprint256 };
}
