import type { KeyObject } from "node:crypto";
import type { PlannedOperationValue } from "../model/plan.js";
import type { GeneratedCopy, Provider } from "../providers/provider.js";
import { certificatesToPem, decodeCertificates, decodePrivateKey, fingerprintKey, generateServerCertificate, type KeyType } from "../x509/index.js";
import { acmeCertificate, type AcmeSettings } from "./acme-material.js";

// Generated certificates are the same on every node of an environment (contract §4 Clusters). A put that
// generates is generated here, once per instance, and every node it goes to gets the same chain and key; a
// put that copies reads the chain and key from the node the plan names. Keys stay in memory, in this module
// and the request bodies, and go nowhere else.

export interface GeneratedMaterial {
  /** The body to send for a certificate put: generated or copied material in place of `generate`/`copyFrom`. */
  bodyFor(o: PlannedOperationValue, body: Record<string, unknown>, node: string): Promise<Record<string, unknown>>;
}

type Generate = { hosts: string[]; keyType: KeyType; validityDays: number; subject?: string; issuer?: { chain: string; key?: string }; acme?: AcmeSettings };

export interface MaterialContext {
  /** Every node of the environment: each one answers an ACME challenge, whichever the CA reaches. */
  nodes: readonly string[];
  /** Keys read for the plan, by "address|field": ACME account keys among them ("…|generate.acme.key"). */
  keys: ReadonlyMap<string, KeyObject>;
}

/** One per environment and apply: what it generates or copies is shared by all of that environment's nodes. */
export function generatedMaterial(provider: Provider, lockHolder: string, context: MaterialContext): GeneratedMaterial {
  const generated = new Map<string, Promise<{ chain: string; key: KeyObject }>>();
  const copies = new Map<string, Promise<GeneratedCopy>>();

  return {
    async bodyFor(o, body, node) {
      if (o.op === "put" && o.collection === "requests" && o.transferFrom) return { ...body, sealed: await sealedFor(provider, o, node, lockHolder) };
      if (o.op !== "put" || o.collection !== "certificates") return body;
      if (o.copyFrom) {
        const from = o.copyFrom;
        const at = `${from.node}\u0000${from.name}`;
        if (!copies.has(at)) {
          if (!provider.copyGenerated) throw new Error(`the ${provider.kind} gateway cannot copy a generated certificate between nodes`);
          copies.set(at, provider.copyGenerated(from.node, from.name, lockHolder));
        }
        const copy = await copies.get(at)!;
        if (copy.fingerprint256 !== from.fingerprint256 || copy.keyFingerprint256 !== from.keyFingerprint256 || fingerprintKey(copy.key) !== from.keyFingerprint256) {
          throw new Error(`${o.address}: node ${from.node} no longer serves ${from.fingerprint256} as ${from.name}, so it cannot be copied: plan again`);
        }
        return { ...body, key: pem(copy.key), generated: true };
      }
      const gen = body.generate as Generate | undefined;
      if (!gen) return body;
      if (!generated.has(o.address)) generated.set(o.address, gen.acme ? acmeCertificate(o.address, gen, gen.acme, provider, lockHolder, context) : generate(gen));
      const made = await generated.get(o.address)!;
      const { generate: _settings, ...rest } = body;
      return { ...rest, chain: made.chain, key: pem(made.key), generated: true };
    },
  };
}

async function generate(gen: Generate): Promise<{ chain: string; key: KeyObject }> {
  let issuer: { chain: ReturnType<typeof decodeCertificates>; key: KeyObject } | undefined;
  if (gen.issuer) {
    if (gen.issuer.key === undefined) throw new Error("the issuer key of a generated certificate was not read");
    issuer = { chain: decodeCertificates(gen.issuer.chain, { allowPrivateKey: false }), key: decodePrivateKey(gen.issuer.key) };
  }
  const made = await generateServerCertificate({ hosts: gen.hosts, keyType: gen.keyType, validityDays: gen.validityDays, ...(gen.subject !== undefined ? { subject: gen.subject } : {}), ...(issuer ? { issuer } : {}) });
  return { chain: certificatesToPem(made.chain), key: made.key };
}

const pem = (key: KeyObject): string => key.export({ type: "pkcs8", format: "pem" }).toString();

/**
 * A pending request of another node, sealed to `node`: the node that holds it seals it to the receiving
 * node's transfer key, so the key passes through apply only as ciphertext that `node` alone can open.
 */
async function sealedFor(provider: Provider, o: PlannedOperationValue, node: string, lockHolder: string): Promise<Record<string, unknown>> {
  const from = o.transferFrom!;
  const access = provider.requests;
  if (!access) throw new Error(`the ${provider.kind} gateway cannot copy a pending signing request between nodes`);
  const recipient = await access.transferKey(node);
  const { sealed, keyFingerprint256 } = await access.seal(from.node, from.name, recipient, lockHolder);
  if (from.keyFingerprint256 !== undefined && keyFingerprint256 !== from.keyFingerprint256) {
    throw new Error(`${o.address}: node ${from.node} no longer holds the pending key ${from.keyFingerprint256.slice(0, 23)}…: plan again`);
  }
  return sealed;
}
