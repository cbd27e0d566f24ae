import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";

// The outside CA of the CSR workflow, played by openssl: it signs what `certform csr` wrote, keeping the
// requested subjectAltName, as an internal CA without ACME would.

/** Signs the request in `csrFile` with the CA (`caPem`, `caKey`: files) for `days`, writing the certificate to `out`. */
export function signCsr(csrFile: string, ca: { pem: string; key: string }, out: string, days = 90): void {
  execFileSync("openssl", ["x509", "-req", "-in", csrFile, "-CA", ca.pem, "-CAkey", ca.key, "-CAcreateserial", "-days", String(days), "-copy_extensions", "copy", "-out", out], { stdio: "pipe" });
}

/** The public key (SPKI DER, base64) a CSR file asks a certificate for. */
export function csrPublicKey(file: string): string {
  const pem = execFileSync("openssl", ["req", "-in", file, "-noout", "-pubkey"], { encoding: "utf8" });
  return createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
}
