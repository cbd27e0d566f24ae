import { describeSocketError } from "../../x509/socket-errors.js";

export interface BackendFailure {
  status: 502 | 504;
  error: { code: "backend-untrusted" | "backend-unreachable" | "backend-timeout"; message: string; endpoint: string; tlsCode?: string; errorCode?: string };
}

/** Raised by the proxy itself when the backend stays silent past the time limit. */
export class BackendTimeout extends Error {
  readonly code = "BACKEND_TIMEOUT";
}

// OpenSSL's X509_V_ERR_* names as Node reports them, and Node's own host name mismatch: the backend
// answered, but its certificate is not one this endpoint trusts.
const UNTRUSTED = /^(?:CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|HOSTNAME_MISMATCH$|ERR_TLS_CERT_ALTNAME_INVALID$|ERROR_IN_CERT_|INVALID_NON_CA$|KEYUSAGE_NO_CERTSIGN$|PROXY_CERTIFICATES_NOT_ALLOWED$|SUBJECT_ISSUER_MISMATCH$|AKID_)/;

const MAX_MESSAGE = 300;

export function backendFailure(err: NodeJS.ErrnoException, endpoint: string, host: string): BackendFailure {
  const code = typeof err.code === "string" ? err.code : "";
  if (err instanceof BackendTimeout) {
    return { status: 504, error: { code: "backend-timeout", message: err.message, endpoint } };
  }
  if (UNTRUSTED.test(code)) {
    // These messages are OpenSSL's verify strings ("self-signed certificate") or Node's name check,
    // which quotes host names and SANs: nothing secret, and what a user needs to see.
    return { status: 502, error: { code: "backend-untrusted", message: err.message.slice(0, MAX_MESSAGE), endpoint, tlsCode: code } };
  }
  const reason = code === "ECONNRESET" ? "the backend closed the connection (ECONNRESET)" : describeSocketError(err, host).reason;
  return { status: 502, error: { code: "backend-unreachable", message: reason, endpoint, ...(code ? { errorCode: code } : {}) } };
}
