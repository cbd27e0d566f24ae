import { ALIAS_PATTERN, type Diagnostic } from "../model/index.js";
import type { EnvironmentState } from "./desired-state.js";
import { diagnose } from "./diagnose.js";
import { hostSyntaxProblem } from "./host-syntax.js";
import { formatPosition } from "../model/index.js";
import { locate } from "./locate.js";

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Checks of one environment's instances once ${…} is expanded: names, hosts, URLs and uniqueness. */
export function checkInstances(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];

  const aliases = new Map<string, (typeof env.trustedCertificates)[number]>();
  for (const t of env.trustedCertificates) {
    const field = t.spec.alias !== undefined ? ["alias"] : [];
    if (!ALIAS_PATTERN.test(t.alias)) {
      out.push(diagnose(t.origin, t.address, {
        code: "alias-invalid",
        message: `alias "${t.alias.replace(CONTROL, "?")}" ${t.alias.length > 64 ? "is longer than 64 characters" : "has characters outside [A-Za-z0-9._-]"}`,
        hint: "use 1 to 64 characters of A-Z a-z 0-9 . _ -",
        field,
      }));
    }
    const first = aliases.get(t.alias);
    if (first) {
      const there = locate(first.origin.src, [...first.origin.path, ...(first.spec.alias !== undefined ? ["alias"] : [])], first.spec.alias !== undefined ? "value" : "key");
      const d = diagnose(t.origin, t.address, {
        code: "alias-duplicate",
        message: `alias "${t.alias}" is also used by ${first.address} (${formatPosition(there)})`,
        hint: "an alias is unique in an environment's truststore: give one of them another alias",
        field,
      });
      d.related = [there];
      out.push(d);
    } else aliases.set(t.alias, t);
  }

  const hostOwners = new Map<string, string>();
  let defaultCert: string | undefined;
  for (const c of env.certificates) {
    const hosts = c.spec.hosts ?? c.spec.generate?.hosts ?? [];
    const field = c.spec.hosts ? "hosts" : "generate";
    hosts.forEach((host, i) => {
      const problem = hostSyntaxProblem(host);
      if (problem) {
        out.push(diagnose(c.origin, c.address, { code: "host-invalid", message: `host "${host.replace(CONTROL, "?")}" is not valid: ${problem}`, hint: "write a DNS name such as api.example.com, a wildcard such as *.example.com, or an IP address", field: field === "hosts" ? ["hosts", i] : ["generate", "hosts", i] }));
        return;
      }
      const owner = hostOwners.get(host.toLowerCase());
      if (owner && owner !== c.address) {
        out.push(diagnose(c.origin, c.address, { code: "host-duplicate", message: `host ${host} is also served by ${owner}`, hint: "SNI picks one certificate per host: serve each host from one certificate", field: field === "hosts" ? ["hosts", i] : ["generate", "hosts", i] }));
      } else hostOwners.set(host.toLowerCase(), c.address);
    });
    if (c.spec.default) {
      if (defaultCert) out.push(diagnose(c.origin, c.address, { code: "default-duplicate", message: `${defaultCert} is already the default certificate of ${env.name}`, hint: "mark one certificate per environment default: true", field: ["default"] }));
      else defaultCert = c.address;
    }
  }

  const paths = new Map<string, string>();
  for (const e of env.endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(e.spec.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || CONTROL.test(e.spec.url)) {
      out.push(diagnose(e.origin, e.address, { code: "url-invalid", message: `url "${e.spec.url.replace(CONTROL, "?")}" is not an http:// or https:// URL`, hint: "write the backend's URL, e.g. https://billing.internal:9443", field: ["url"] }));
    }
    const field = e.spec.path !== undefined ? ["path"] : [];
    if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(e.path) || e.path.split("/").includes("..")) {
      out.push(diagnose(e.origin, e.address, { code: "path-invalid", message: `path "${e.path.replace(CONTROL, "?")}" is not a route prefix`, hint: "start it with / and use URL path characters only, e.g. /billing", field }));
    }
    const key = e.path.replace(/\/+$/, "") || "/";
    const owner = paths.get(key);
    if (owner) out.push(diagnose(e.origin, e.address, { code: "path-duplicate", message: `path ${e.path} is also the route of ${owner}`, hint: "give every endpoint its own route prefix", field }));
    else paths.set(key, e.address);
  }
  return out;
}
