import type { X509Certificate } from "node:crypto";
import { certificatesToPem, type Keystore } from "../x509/index.js";
import { emptyModel, ImportError, safeAlias, slug, uniqueName, type ImportModel } from "./import-model.js";
import { apiOf, certificateOf, entriesOf, first, hostOf, META, parse, type Api, type Files } from "./wso2-files.js";

// A WSO2 apictl API export or project (one API directory, or several under one root): every
// Endpoint-certificates/endpoint_certificates.yaml entry ({ alias, endpoint, certificate }) becomes a trusted
// certificate (alias kept), the endpoint it is for, and the trust between them; every
// Client-certificates/client_certificates.yaml entry becomes a trusted certificate that clients of that API
// must chain to: mutual TLS (scope: clients) for the endpoints of the API's URLs, which carry its routes.
// api.yaml gives the API's name, context and production / sandbox URLs. A truststore given beside the export
// (the gateway's client-truststore.jks) adds each of its trusted-certificate entries, alias kept.

export function fromWso2(files: Files, truststore?: Keystore): ImportModel {
  const roots = [...new Set([...files.keys()].map((p) => META.exec(p)?.[1]?.replace(/Meta-information\/$/, "")).filter((r): r is string => r !== undefined))].sort();
  const apis = roots.map((r) => apiOf(files, r)).filter((a): a is Api => a !== undefined);
  const model = emptyModel(apis.length === 1 ? slug(apis[0]!.name.toLowerCase(), "wso2-import") : "wso2-import", `a WSO2 apictl export (${apis.map((a) => a.name).join(", ") || "no api.yaml"})`);
  const names = { trusted: new Set<string>(), endpoints: new Set<string>(), trust: new Set<string>() };
  const trustedByAlias = new Map<string, { name: string; fingerprint: string }>();
  const endpointByUrl = new Map<string, string>();
  const trusted = (alias: string, cert: X509Certificate): string => {
    const known = trustedByAlias.get(alias.toLowerCase());
    if (known && known.fingerprint !== cert.fingerprint256) throw new ImportError(`alias ${JSON.stringify(alias)} names two different certificates in the export${truststore ? ` and the truststore ${truststore.name}` : ""}`, "alias-conflict", "rename one of them in the export or the truststore");
    if (known) return known.name;
    const name = uniqueName(slug(alias, "certificate"), names.trusted);
    const kept = safeAlias(alias);
    if (kept !== alias) model.notes.push(`alias ${JSON.stringify(alias)} is not a valid gateway alias ([A-Za-z0-9._-]{1,64}): it became ${kept}`);
    trustedByAlias.set(alias.toLowerCase(), { name, fingerprint: cert.fingerprint256 });
    model.trusted.push({ name, ...(kept !== name ? { alias: kept } : {}), pem: certificatesToPem(cert) });
    return name;
  };
  for (const root of roots) {
    const api = apiOf(files, root);
    const apiSlug = slug((api?.name ?? root.replace(/\/$/, "").split("/").pop() ?? "api").toLowerCase(), "api");
    const endpoint = (url: string): string => {
      const known = endpointByUrl.get(url);
      if (known) return known;
      const sandbox = api?.sandbox.includes(url) && !api.production.includes(url);
      const production = api?.production.includes(url);
      const want = production ? apiSlug : sandbox ? `${apiSlug}-sandbox` : slug(hostOf(url), "endpoint");
      const name = uniqueName(want, names.endpoints);
      endpointByUrl.set(url, name);
      model.endpoints.push({ name, url, ...(production && api?.path && name === apiSlug ? { path: api.path } : {}) });
      return name;
    };
    const epPath = first(files, root, ["Endpoint-certificates/endpoint_certificates.yaml", "Endpoint-certificates/endpoint_certificates.yml", "Endpoint-certificates/endpoint_certificates.json", "Meta-information/endpoint_certificates.yaml", "Meta-information/endpoint_certificates.json"]);
    for (const e of epPath ? entriesOf(parse(files, epPath)) : []) {
      const cert = certificateOf(files, epPath!.slice(0, epPath!.lastIndexOf("/") + 1), e);
      const certificate = trusted(String(e.alias ?? cert.subject), cert);
      if (typeof e.endpoint !== "string") continue;
      const ep = endpoint(e.endpoint);
      model.trust.push({ name: uniqueName(`${certificate}-${ep}`.slice(0, 64), names.trust), certificate, endpoint: ep });
    }
    const clPath = first(files, root, ["Client-certificates/client_certificates.yaml", "Client-certificates/client_certificates.yml", "Client-certificates/client_certificates.json", "Meta-information/client_certificates.yaml", "Meta-information/client_certificates.json"]);
    const clientEntries = clPath ? entriesOf(parse(files, clPath)) : [];
    // WSO2 requires an API's client certificates on that API only: its routes here are the endpoints of
    // its production and sandbox URLs.
    const apiEndpoints = clientEntries.length > 0 ? [...new Set([...(api?.production ?? []), ...(api?.sandbox ?? [])])].map(endpoint) : [];
    for (const e of clientEntries) {
      const cert = certificateOf(files, clPath!.slice(0, clPath!.lastIndexOf("/") + 1), e);
      const certificate = trusted(String(e.alias ?? cert.subject), cert);
      const required = api?.mutualSslOptional ? { required: false } : {};
      const apiName = api?.name ?? apiSlug;
      if (apiEndpoints.length === 0) {
        if (model.trust.some((t) => t.certificate === certificate && t.scope === "clients" && t.endpoint === undefined)) continue;
        const name = uniqueName(`${certificate}-clients`.slice(0, 64), names.trust);
        model.trust.push({ name, certificate, scope: "clients", ...required });
        model.notes.push(`trustAssignments.${name}: API ${apiName} names no endpoint URL, so its client certificate is required on every route of every host; add endpoint: NAME to limit it to that API's routes`);
        continue;
      }
      const added: string[] = [];
      for (const ep of apiEndpoints) {
        if (model.trust.some((t) => t.certificate === certificate && t.scope === "clients" && t.endpoint === ep)) continue;
        const name = uniqueName(`${certificate}-${ep}-clients`.slice(0, 64), names.trust);
        model.trust.push({ name, certificate, endpoint: ep, scope: "clients", ...required });
        added.push(`trustAssignments.${name}`);
      }
      if (added.length > 0) model.notes.push(`${added.join(", ")}: mutual TLS for API ${apiName}'s routes only, as in WSO2; every host asks clients for a certificate unless you list hosts:`);
    }
  }
  for (const entry of truststore?.entries ?? []) {
    if (entry.type === "trustedCertificate") trusted(entry.alias, entry.chain[0]!);
    else model.notes.push(`alias ${JSON.stringify(entry.alias)} of truststore ${truststore!.name} is a private-key entry: left out (a truststore's trusted-certificate entries become trusted certificates)`);
  }
  if (truststore && truststore.entries.some((e) => e.type === "trustedCertificate")) {
    model.notes.push(`the trusted certificates of truststore ${truststore.name} are declared but assigned to nothing; WSO2 trusts them for every backend: add trustAssignments with scope: environment for those you keep`);
  }
  if (model.trusted.length === 0) throw new ImportError("the WSO2 export holds no endpoint or client certificates", "empty-import", "export the API with its certificates (apictl export api)");
  return model;
}

