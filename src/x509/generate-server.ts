import type { KeyObject, X509Certificate } from "node:crypto";
import { generateCertificate, type KeyType } from "./generate.js";

/** What `generate:` asks for, once its sources are read: the same whether a node or certform makes it. */
export interface ServerGenerateRequest {
  hosts: string[];
  keyType: KeyType;
  validityDays: number;
  /** The common name; default: the first host. */
  subject?: string;
  /** Issue from this CA (chain, CA first) instead of self-signing. */
  issuer?: { chain: X509Certificate[]; key: KeyObject };
}

/** A generated server certificate and its key: the chain (leaf, then the issuer's chain) and the key. */
export async function generateServerCertificate(req: ServerGenerateRequest): Promise<{ chain: X509Certificate[]; key: KeyObject }> {
  const made = await generateCertificate({
    hosts: req.hosts,
    keyType: req.keyType,
    validityDays: req.validityDays,
    subject: `CN=${escapeDnValue(req.subject ?? req.hosts[0]!)}`,
    ...(req.issuer ? { issuer: { certificate: req.issuer.chain[0]!, key: req.issuer.key } } : {}),
  });
  return { chain: [made.certificate, ...(req.issuer?.chain ?? [])], key: made.key };
}

// RFC 4514: a subject given as text stays one CN, whatever commas or plus signs it holds.
const escapeDnValue = (v: string): string => v.replace(/([,+"\\<>;=#])/g, "\\$1");
