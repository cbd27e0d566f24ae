import { z } from "zod";
import { KEY_TYPES } from "../../model/sources.js";
import { Host, Labels } from "./wire-values.js";

// The admin API's pending signing requests: written in a batch (collection `requests`), read as views, and
// sealed from one node of an environment to another.

export const SealedKey = z
  .strictObject({ ephemeral: z.string().max(256), iv: z.string().max(64), ciphertext: z.string().min(1).max(64 * 1024), tag: z.string().max(64) })
  .meta({ id: "SealedKey", description: "A pending request sealed to one node's transfer key (X25519, HKDF-SHA-256, AES-256-GCM); base64 members." });

/** A signing request as written in a batch (collection `requests`): made here, or a sealed copy of another node's. */
export const RequestPut = z
  .strictObject({
    csr: z
      .strictObject({ subject: z.string().max(256).optional(), hosts: z.array(Host).min(1), keyType: z.enum(KEY_TYPES).default("ec-p256") })
      .optional()
      .describe("Make a new key on this node and a PKCS#10 request for these hosts."),
    sealed: SealedKey.optional().describe("The request (key included) of another node of the environment, sealed to this node's transfer key (GET /v1/transfer-key)."),
    labels: Labels,
  })
  .meta({ id: "RequestPut" });

export const RequestView = z
  .object({
    name: z.string(),
    csr: z.string().describe("PEM of the PKCS#10 request, for the outside CA."),
    keyFingerprint256: z.string().describe("SHA-256 of the pending public key; the key itself is never returned."),
    keyType: z.string(),
    subject: z.string().optional(),
    hosts: z.array(z.string()),
    labels: z.record(z.string(), z.string()),
    updatedRevision: z.number().int(),
  })
  .meta({ id: "RequestView" });

/** POST /v1/requests/{name}/seal: the request sealed to another node's transfer key. */
export const SealRequest = z.strictObject({ recipient: z.string().min(1).max(256).describe("The receiving node's transfer key, as GET /v1/transfer-key answers it.") }).meta({ id: "SealRequest" });
export const TransferKeyView = z.object({ publicKey: z.string().describe("X25519 public key (SPKI DER, base64); made at start, held in memory only.") }).meta({ id: "TransferKeyView" });

export type RequestPutBody = z.output<typeof RequestPut>;
export type RequestViewBody = z.output<typeof RequestView>;
export type SealedKeyBody = z.output<typeof SealedKey>;
