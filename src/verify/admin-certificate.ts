import { isIP } from "node:net";
import type { VerificationProblem } from "./types.js";
import { handshakeLeaf } from "./probes.js";

// The management certificate is served by a node's admin API, not its data plane: verified by a handshake
// with the admin URL itself, as certform's own client makes it (SNI the URL's host name).

/** Whether `admin` (a node's admin URL) presents the leaf `fingerprint256`; a problem when not. */
export async function verifyAdminCertificate(environment: string, admin: string, address: string, fingerprint256: string, timeoutMs: number): Promise<VerificationProblem | undefined> {
  const url = new URL(admin);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || 443);
  const served = await handshakeLeaf({ host, port }, isIP(host) === 0 ? host : undefined, timeoutMs);
  const where = `environment ${environment}, node ${admin}`;
  if (!served.ok) return { environment, node: admin, address, host, code: "handshake-failed", message: `${where}: the admin API's TLS handshake failed (${served.reason})` };
  if (served.value.fingerprint256 === fingerprint256) return undefined;
  return {
    environment,
    node: admin,
    address,
    host,
    code: "wrong-certificate",
    message: `${where}: the admin API serves ${served.value.subject} (SHA-256 ${served.value.fingerprint256}), not the declared managementCertificate; run certform apply`,
    expected: [fingerprint256],
    served: served.value.fingerprint256,
  };
}
