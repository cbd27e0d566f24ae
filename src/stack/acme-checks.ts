import { quoteValue, type Diagnostic } from "../model/index.js";
import { hostProblem } from "../x509/index.js";
import type { EnvironmentState } from "./desired-state.js";
import { diagnose } from "./diagnose.js";

const unresolved = (value: string) => value.includes("${");
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * ACME orders are checked offline as far as they can be: the directory's form, the contact, and hosts that
 * tls-alpn-01 and http-01 cannot prove (a wildcard needs dns-01; IP identifiers are not ordered).
 */
export function checkAcme(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of env.certificates) {
    const g = c.spec.generate;
    const acme = g?.acme;
    if (!g || !acme) continue;
    const at = (field: (string | number)[], code: string, message: string, hint: string) => out.push(diagnose(c.origin, c.address, { code, message, hint, field: ["generate", ...field] }));
    if (g.issuer) at(["acme"], "acme-with-issuer", "generate: has both issuer: and acme:; a certificate comes from one CA", "keep issuer: to sign with your own CA, or acme: to order from an ACME CA");
    if (!unresolved(acme.directory)) {
      const problem = directoryProblem(acme.directory);
      if (problem) at(["acme", "directory"], "url-invalid", `directory ${quoteValue(acme.directory)} ${problem}`, "write the CA's ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory");
    }
    if (acme.email !== undefined && !unresolved(acme.email) && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(acme.email)) {
      at(["acme", "email"], "email-invalid", `email ${quoteValue(acme.email)} is not an e-mail address`, "write the account's contact address, e.g. pki-team@example.com");
    }
    (g.hosts ?? []).forEach((host, i) => {
      if (unresolved(host) || hostProblem(host)) return;
      if (host.startsWith("*.")) at(["hosts", i], "acme-wildcard", `host ${quoteValue(host)} is a wildcard: an ACME CA issues wildcards only through dns-01, which certform does not answer`, "list the host names themselves, or bring the wildcard certificate from a file");
      else if (/^[0-9.]+$/.test(host) || host.includes(":")) at(["hosts", i], "acme-ip-host", `host ${quoteValue(host)} is an IP address: certform orders DNS names only`, "list DNS names that resolve to the gateway");
    });
  }
  return out;
}

function directoryProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (CONTROL.test(text)) return "holds a control character";
  if (url.protocol !== "https:") return `uses ${url.protocol}//; an ACME directory is served over https:// (RFC 8555 §6.1)`;
  if (url.username || url.password) return "holds a user name or password";
  return undefined;
}
