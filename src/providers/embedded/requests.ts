import { RequestView, SealedKey, TransferKeyView } from "../../gateway/api/admin-api.js";
import { z } from "zod";
import { ProviderError, type LiveRequest, type RequestAccess } from "../provider.js";
import type { AdminClient } from "./client.js";
import { badResponse } from "./errors.js";

// Pending signing requests on the embedded gateway: read (fingerprints and CSRs only), and sealed from one
// node to another. What a seal answers is opaque here: only the receiving node can open it.

const SealAnswer = z.object({ name: z.string(), keyFingerprint256: z.string(), sealed: SealedKey });

export function requestAccess(client: AdminClient): RequestAccess {
  return {
    async transferKey(node) {
      const path = "/v1/transfer-key";
      const res = await client.call(node, { method: "GET", path, safety: "idempotent" });
      const parsed = TransferKeyView.safeParse(res.json);
      if (!parsed.success) throw badResponse({ node, method: "GET", path, attempts: 1 }, res.status, "no transfer key");
      return parsed.data.publicKey;
    },
    async seal(node, name, recipient, lockHolder) {
      const path = `/v1/requests/${encodeURIComponent(name)}/seal`;
      const res = await client.call(node, { method: "POST", path, body: { recipient }, headers: { "x-certform-lock-holder": lockHolder }, safety: "idempotent" });
      const parsed = SealAnswer.safeParse(res.json);
      if (!parsed.success) throw badResponse({ node, method: "POST", path, attempts: 1 }, res.status, "not a sealed request");
      return { sealed: parsed.data.sealed, keyFingerprint256: parsed.data.keyFingerprint256 };
    },
    async csr(node, name) {
      const path = `/v1/requests/${encodeURIComponent(name)}`;
      try {
        const res = await client.call(node, { method: "GET", path, safety: "idempotent" });
        const parsed = RequestView.safeParse(res.json);
        if (!parsed.success) throw badResponse({ node, method: "GET", path, attempts: 1 }, res.status, "not a signing request");
        return { csr: parsed.data.csr, keyFingerprint256: parsed.data.keyFingerprint256 };
      } catch (err) {
        if (err instanceof ProviderError && err.status === 404) return undefined;
        throw err;
      }
    },
  };
}

/** The requests of a GET /v1/requests answer, as live requests. */
export function liveRequests(items: unknown): LiveRequest[] | undefined {
  const parsed = z.array(RequestView).safeParse(items);
  if (!parsed.success) return undefined;
  return parsed.data.map((r) => ({ name: r.name, labels: r.labels, keyFingerprint256: r.keyFingerprint256, keyType: r.keyType, hosts: r.hosts, ...(r.subject !== undefined ? { subject: r.subject } : {}) }));
}
