import type { KeyObject } from "node:crypto";
import type { Provider } from "../providers/provider.js";
import { certificatesToPem, decodeCertificates, generateKeyPairFor, type KeyType } from "../x509/index.js";
import type { ChallengePublisher } from "./acme-order.js";

/** The `generate.acme` of a planned put (desired-objects.ts): public settings only. */
export interface AcmeSettings {
  directory: string;
  email?: string;
  challenge: "tls-alpn-01" | "http-01";
  caBundle?: string;
}

/**
 * A certificate ordered from the ACME CA for one instance: certform makes the key, as for every generated
 * certificate, and the same chain and key go to every node. Nothing is written to a node's certificates
 * before the CA has issued: a failed order leaves the certificate served now in place.
 */
export async function acmeCertificate(
  address: string,
  gen: { hosts: string[]; keyType: KeyType },
  acme: AcmeSettings,
  provider: Provider,
  lockHolder: string,
  context: { nodes: readonly string[]; keys: ReadonlyMap<string, KeyObject> },
): Promise<{ chain: string; key: KeyObject }> {
  const accountKey = context.keys.get(`${address}|generate.acme.key`);
  if (!accountKey) throw new Error(`${address}: the ACME account key was not read`);
  const answer = provider.acmeChallenge?.bind(provider);
  if (!answer) throw new Error(`${address}: the ${provider.kind} gateway cannot answer ACME challenges`);
  // Every node answers: the CA may reach any of them behind the environment's address.
  const publisher: ChallengePublisher = {
    publish: async (token, body) => void (await Promise.all(context.nodes.map((n) => answer(n, token, body, lockHolder)))),
    remove: async (token) => void (await Promise.allSettled(context.nodes.map((n) => answer(n, token, null, lockHolder)))),
  };
  // acme-client (with axios and node-forge) costs every apply about 0.2 s of CPU to load: only an order loads it.
  const { AcmeError, orderCertificate } = await import("./acme-order.js");
  const key = await generateKeyPairFor(gen.keyType);
  const issued = await orderCertificate({ ...acme, hosts: gen.hosts, key, accountKey }, publisher).catch((err: unknown) => {
    // Said once per node that would have received it; the CA's answer is the same for each.
    throw new AcmeError(`${address}: the ACME order at ${acme.directory} failed, nothing was written: ${err instanceof Error ? err.message : String(err)}`, err instanceof AcmeError ? err.problem : undefined);
  });
  // Re-encoded as certform writes chains: the CA's PEM may carry text or blank lines between blocks.
  return { chain: certificatesToPem(decodeCertificates(issued, { allowPrivateKey: false })), key };
}
