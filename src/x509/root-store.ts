import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";
import { issuedBy } from "./chain-order.js";

let roots: X509Certificate[] | undefined;

/** node's bundled Mozilla roots, parsed on first use only (about 150 certificates). */
function bundledRoots(): X509Certificate[] {
  roots ??= rootCertificates.flatMap((pem) => {
    try {
      return [new X509Certificate(pem)];
    } catch {
      return [];
    }
  });
  return roots;
}

/** True when a root that clients commonly trust issued `cert` (or is `cert`). */
export function issuedByPublicRoot(cert: X509Certificate): boolean {
  return bundledRoots().some((root) => root.fingerprint256 === cert.fingerprint256 || issuedBy(cert, root));
}
