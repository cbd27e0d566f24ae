import type { X509Certificate } from "node:crypto";
import { decodeCertificates } from "../x509/index.js";

// Every node of an environment returns the same chain text, and that text is what the stack's own chain
// renders to: the plan decodes each distinct chain once. The stack's chains are put in as they are
// rendered, so an unchanged estate decodes no live chain at all. Capped, since a long-lived process
// (a test run, a library user) plans many times.
const chains = new Map<string, readonly X509Certificate[]>();
const MAX = 50_000;

export function rememberChain(pem: string, chain: readonly X509Certificate[]): void {
  if (chains.size >= MAX) chains.clear();
  chains.set(pem, chain);
}

/** The certificates of a chain a gateway holds; throws what decodeCertificates throws. */
export function liveChain(pem: string): readonly X509Certificate[] {
  const hit = chains.get(pem);
  if (hit) return hit;
  const chain = decodeCertificates(pem, { allowPrivateKey: false });
  rememberChain(pem, chain);
  return chain;
}
