import type { BundleRequestValue } from "../model/bundle.js";
import type { LiveRequest } from "../providers/provider.js";
import { CSR_KEY, csrSettings, type Declared } from "./collect-certificate.js";

/**
 * A pending signing request whose certificate the CA has not signed yet: what the gateway holds is the
 * request itself (its settings and its key's fingerprint), so that is what moves. renewBefore and the hosts
 * served are the stack's; a request no stack declares (--all) gets their defaults.
 */
export function collectRequest(r: LiveRequest, common: Omit<BundleRequestValue, "hosts" | "default" | "csr" | "keyFingerprint256" | "key">, declared: Declared | undefined): BundleRequestValue {
  const settings = csrSettings(declared);
  return {
    ...common,
    hosts: settings ? declared!.hosts : r.hosts,
    default: settings ? declared!.spec.default : false,
    csr: { ...(r.subject !== undefined ? { subject: r.subject } : {}), hosts: r.hosts, keyType: r.keyType, renewBefore: settings?.renewBefore ?? "30d" },
    keyFingerprint256: r.keyFingerprint256,
    key: CSR_KEY,
  };
}
