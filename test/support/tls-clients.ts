import { execFile } from "node:child_process";
import { request } from "node:https";

export interface ClientIdentity {
  cert: string;
  key: string;
}

export interface GatewayResponse {
  status: number;
  body: any;
}

/** One GET through a gateway's listener as a fresh TLS client of `servername`, with a client certificate or none. */
export function getVia(port: number, servername: string, path: string, client?: ClientIdentity): Promise<GatewayResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, servername, headers: { host: servername }, rejectUnauthorized: false, agent: false, ...(client ?? {}) }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // plain text from a backend
        }
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Whether the server sent a CertificateRequest in a handshake for `servername`, as `openssl s_client` (a
 * client independent of Node) reports it: it prints the requested signature algorithms only then.
 */
export function certificateRequested(port: number, servername: string, tlsVersion: "tls1_2" | "tls1_3" = "tls1_3"): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = execFile("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", servername, `-${tlsVersion}`], { timeout: 10_000 }, (err, stdout) => {
      if (!/^SSL handshake has read/m.test(stdout)) return reject(new Error(`openssl s_client did not complete a handshake with ${servername}: ${err?.message ?? stdout}`));
      resolve(/^Requested Signature Algorithms:/m.test(stdout));
    });
    child.stdin?.end();
  });
}
