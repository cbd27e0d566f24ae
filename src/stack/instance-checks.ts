import { ALIAS_PATTERN, formatPosition, quoteValue, type CertificateSource, type Diagnostic } from "../model/index.js";
import { dnProblem, hostProblem } from "../x509/index.js";
import type { AnyInstance, EnvironmentState } from "./desired-state.js";
import { checkAcme } from "./acme-checks.js";
import { diagnose } from "./diagnose.js";
import { locate } from "./locate.js";

const CONTROL = /[\u0000-\u001f\u007f]/;
// A value whose ${…} could not be expanded has already been reported; checking its form again would only
// add a second, confusing error at the same place.
const unresolved = (value: string) => value.includes("${");

/** Checks of one environment's instances once ${…} is expanded: names, hosts, URLs and uniqueness. */
export function checkInstances(env: EnvironmentState): Diagnostic[] {
  return [...checkAliases(env), ...checkHosts(env), ...checkEndpoints(env), ...checkUrlSources(env), ...checkKids(env), ...checkAcme(env)];
}

/** A JWKS needs distinct kids; two JWKs of one certificate share the default (its thumbprint). */
function checkKids(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const j of env.jwks) {
    const kid = j.spec.kid ?? `thumbprint of ${j.spec.certificate}`;
    const first = seen.get(kid);
    if (first) {
      out.push(diagnose(j.origin, j.address, { code: "kid-duplicate", message: `publishes the same kid as ${first} (${j.spec.kid ? quoteValue(kid) : `the default, the ${kid}`})`, hint: "give one of them its own kid:", field: j.spec.kid ? ["kid"] : [] }));
    } else seen.set(kid, j.address);
  }
  return out;
}

function checkAliases(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Java keystores (WSO2's truststore among them) compare aliases without case.
  const aliases = new Map<string, (typeof env.trustedCertificates)[number]>();
  for (const t of env.trustedCertificates) {
    if (unresolved(t.alias)) continue;
    const field = t.spec.alias !== undefined ? ["alias"] : [];
    if (!ALIAS_PATTERN.test(t.alias)) {
      out.push(diagnose(t.origin, t.address, {
        code: "alias-invalid",
        message: `alias ${quoteValue(t.alias)} ${t.alias.length > 64 ? "is longer than 64 characters" : "has characters outside [A-Za-z0-9._-]"}`,
        hint: "use 1 to 64 characters of A-Z a-z 0-9 . _ -",
        field,
      }));
    }
    const first = aliases.get(t.alias.toLowerCase());
    if (first) {
      const there = locate(first.origin.src, [...first.origin.path, ...(first.spec.alias !== undefined ? ["alias"] : [])], first.spec.alias !== undefined ? "value" : "key");
      const d = diagnose(t.origin, t.address, {
        code: "alias-duplicate",
        message: `alias ${quoteValue(t.alias)} is also used by ${first.address} (${formatPosition(there)})${first.alias !== t.alias ? `, as ${quoteValue(first.alias)}; aliases are compared without case` : ""}`,
        hint: "an alias is unique in an environment's truststore: give one of them another alias",
        field,
      });
      d.related = [there];
      out.push(d);
    } else aliases.set(t.alias.toLowerCase(), t);
  }
  return out;
}

function checkHosts(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (inst: AnyInstance, hosts: readonly string[], field: (string | number)[]) =>
    hosts.forEach((host, i) => {
      const problem = unresolved(host) ? undefined : hostProblem(host);
      if (!problem) return;
      out.push(diagnose(inst.origin, inst.address, {
        code: "host-invalid",
        message: `host ${quoteValue(host)} is not valid: ${problem}`,
        hint: "write a DNS name such as api.example.com, a wildcard such as *.example.com, or an IP address",
        field: [...field, i],
      }));
    });
  let defaultCert: string | undefined;
  for (const c of env.certificates) {
    if (c.spec.hosts) check(c, c.spec.hosts, ["hosts"]);
    if (c.spec.generate?.hosts) check(c, c.spec.generate.hosts, ["generate", "hosts"]);
    if (c.spec.generate?.csr) {
      check(c, c.spec.generate.csr.hosts, ["generate", "csr", "hosts"]);
      const subject = c.spec.generate.csr.subject;
      const problem = subject === undefined || unresolved(subject) ? undefined : dnProblem(subject);
      if (problem) {
        out.push(diagnose(c.origin, c.address, { code: "csr-subject-invalid", message: `csr.subject ${quoteValue(subject!)} is not a distinguished name certform can encode: ${problem}`, hint: 'write it most specific first, e.g. "CN=api.example.com, O=Example, C=DE"; escape , + " ; < > = # in a value with \\', field: ["generate", "csr", "subject"] }));
      }
    }
    if (c.spec.default) {
      if (defaultCert) out.push(diagnose(c.origin, c.address, { code: "default-duplicate", message: `${defaultCert} is already the default certificate of ${env.name}`, hint: "mark one certificate per environment default: true", field: ["default"] }));
      else defaultCert = c.address;
    }
  }
  for (const t of env.trustAssignments) if (t.spec.hosts) check(t, t.spec.hosts, ["hosts"]);
  return out;
}

function checkEndpoints(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const paths = new Map<string, string>();
  for (const e of env.endpoints) {
    if (!unresolved(e.spec.url)) {
      let url: URL | undefined;
      try {
        url = new URL(e.spec.url);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || CONTROL.test(e.spec.url)) {
        out.push(diagnose(e.origin, e.address, { code: "url-invalid", message: `url ${quoteValue(e.spec.url)} is not an http:// or https:// URL`, hint: "write the backend's URL, e.g. https://billing.internal:9443", field: ["url"] }));
      }
    }
    if (unresolved(e.path)) continue;
    const field = e.spec.path !== undefined ? ["path"] : [];
    if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(e.path) || e.path.split("/").includes("..")) {
      out.push(diagnose(e.origin, e.address, { code: "path-invalid", message: `path ${quoteValue(e.path)} is not a route prefix`, hint: "start it with / and use URL path characters only, e.g. /billing", field }));
      continue;
    }
    const key = e.path.replace(/\/+$/, "") || "/";
    const owner = paths.get(key);
    if (owner) out.push(diagnose(e.origin, e.address, { code: "path-duplicate", message: `path ${e.path} is also the route of ${owner}`, hint: "give every endpoint its own route prefix", field }));
    else paths.set(key, e.address);
  }
  return out;
}

/** url: sources are captured at plan time; their form is checked now, offline too. */
function checkUrlSources(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (inst: AnyInstance, src: CertificateSource | undefined, field: string[]) => {
    if (!src || !("url" in src) || unresolved(src.url)) return;
    const problem = urlSourceProblem(src.url);
    if (problem) out.push(diagnose(inst.origin, inst.address, { code: "url-invalid", message: `url ${quoteValue(withoutCredentials(src.url))} ${problem}`, hint: "write it as https://host:port or ldaps://host:port", field: [...field, "url"] }));
  };
  for (const c of env.certificates) {
    check(c, c.spec.certificate, ["certificate"]);
    check(c, c.spec.chain, ["chain"]);
    check(c, c.spec.generate?.issuer?.certificate, ["generate", "issuer", "certificate"]);
    check(c, c.spec.generate?.acme?.caBundle, ["generate", "acme", "caBundle"]);
  }
  for (const t of env.trustedCertificates) check(t, t.spec.certificate, ["certificate"]);
  return out;
}

function urlSourceProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "ldaps:") return `uses ${url.protocol}//; certificates are captured over https:// or ldaps:// only`;
  if (!url.hostname) return "has no host";
  if (url.username || url.password) return "holds a user name or password, which a TLS handshake does not use";
  if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash) return "has a path, query or fragment; a certificate is captured from host and port only";
  return undefined;
}

// A password in a URL is still a password: messages show it masked.
function withoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    if (!url.username && !url.password) return text;
    url.username = "***";
    url.password = "";
    return url.toString();
  } catch {
    return text;
  }
}
