import type { BundleManifest, BundleObjectValue, BundleRequestValue } from "../model/bundle.js";
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from "../model/bundle.js";
import { KIND_OF_COLLECTION, LABEL, MANAGEMENT_OBJECT, NAME_PATTERN, RESOURCE_KINDS, type ResourceKind } from "../model/index.js";
import type { LiveCollection, LiveObject, LiveRequest } from "../providers/provider.js";
import { collectCertificate, type Declared, type KeyOptions } from "./collect-certificate.js";
import { collectRequest } from "./collect-request.js";
import { slug } from "./import-model.js";

export interface CollectInput {
  stack: string;
  environment: string;
  gateway: string;
  revision: number;
  version: string;
  /** One node's objects, as read. */
  objects: LiveObject[];
  /** The same node's pending signing requests. */
  requests?: LiveRequest[];
  /** false: the objects the stack owns in this environment; true: every object (--all). */
  all: boolean;
  /** The stack's certificates of this environment, by resource name: where keys and generate settings come from. */
  declared: ReadonlyMap<string, Declared>;
  keys: KeyOptions;
}

export type ManifestBody = Omit<BundleManifest, "files" | "contents">;

/** Whether the stack owns the object (or request) in this environment. */
export function ownedHere(o: { labels: Record<string, string> }, stack: string, environment: string): boolean {
  return o.labels[LABEL.stack] === stack && (o.labels[LABEL.address] ?? "").endsWith(`[${environment}]`);
}

/** The manifest (without its file list) and the files of a bundle, from one node's objects. */
export function collectBundle(input: CollectInput): { manifest: ManifestBody; files: Map<string, string> } {
  // The admin API's own certificate belongs to its environment's nodes: it never moves with a bundle.
  const chosen = input.objects.filter((o) => !(o.collection === "certificates" && o.name === MANAGEMENT_OBJECT) && (input.all || ownedHere(o, input.stack, input.environment)));
  // A request whose certificate is installed (a renewal pending) moves with that certificate; one without is
  // a certificates resource of its own, named like the certificates it stands beside.
  const served = new Set(input.objects.filter((o) => o.collection === "certificates").map((o) => o.name));
  const pending = new Map<LiveObject, LiveRequest>();
  for (const r of input.requests ?? []) {
    if (served.has(r.name) || !(input.all || ownedHere(r, input.stack, input.environment))) continue;
    pending.set({ collection: "certificates", name: r.name, labels: r.labels, fields: {} }, r);
  }
  const named = nameObjects([...chosen, ...pending.keys()], input);
  const byObject = new Map(named.map((n) => [objectKey(n.o.collection, n.o.name), n]));
  const addressOf = (collection: LiveCollection, objectName: string) => {
    const hit = byObject.get(objectKey(collection, objectName));
    return `${KIND_OF_COLLECTION[collection]}.${hit ? hit.name : objectName}`;
  };
  const files = new Map<string, string>();
  const objects: BundleObjectValue[] = [];
  const links: BundleManifest["links"] = [];
  const requests: BundleRequestValue[] = [];
  for (const { o, name, owned } of named) {
    const kind = KIND_OF_COLLECTION[o.collection];
    const address = `${kind}.${name}`;
    const common = { name, address, objectName: o.name, owned, labels: sortKeys(o.labels), protect: o.labels[LABEL.protect] === "true" };
    const request = pending.get(o);
    if (request) {
      requests.push(collectRequest(request, common, owned ? input.declared.get(name) : undefined));
      continue;
    }
    const f = o.fields;
    switch (o.collection) {
      case "certificates": {
        const { entry, files: more } = collectCertificate(o, name, common, owned ? input.declared.get(name) : undefined, input.keys);
        for (const [p, t] of more) files.set(p, t);
        objects.push(entry);
        break;
      }
      case "trusted":
        files.set(`trusted/${name}.pem`, String(f.certificate));
        objects.push({ kind: "trustedCertificates", ...common, alias: o.name, fingerprint256: String(f.fingerprint256), subject: String(f.subject), issuer: String(f.issuer), notAfter: String(f.notAfter), file: `trusted/${name}.pem` });
        break;
      case "endpoints":
        objects.push({ kind: "endpoints", ...common, url: String(f.url), path: String(f.path), trustedAliases: Array.isArray(f.trustedAliases) ? f.trustedAliases.map(String) : [] });
        break;
      case "trust": {
        const scope = f.scope as "environment" | "management" | "clients" | undefined;
        objects.push({ kind: "trustAssignments", ...common, alias: String(f.alias), ...(f.endpoint !== undefined ? { endpoint: String(f.endpoint) } : {}), ...(scope ? { scope } : {}), ...(Array.isArray(f.hosts) ? { hosts: f.hosts.map(String) } : {}), ...(typeof f.required === "boolean" ? { required: f.required } : {}) });
        links.push({ type: "trusts", from: address, to: addressOf("trusted", String(f.alias)) });
        if (f.endpoint !== undefined) links.push({ type: "endpoint", from: address, to: addressOf("endpoints", String(f.endpoint)) });
        break;
      }
      case "jwks": {
        const source = (f.source ?? null) as { certificate: string } | { trusted: string } | null;
        files.set(`jwks/${name}.json`, `${JSON.stringify(f.jwk, null, 2)}\n`);
        objects.push({
          kind: "jwks",
          ...common,
          kid: String(f.kid),
          use: f.use === "enc" ? "enc" : "sig",
          ...(typeof f.alg === "string" ? { alg: f.alg } : {}),
          source,
          onCertificateChange: o.labels[LABEL.onCertificateChange] === "disconnect" ? "disconnect" : "update",
          onCertificateDelete: o.labels[LABEL.onCertificateDelete] === "disconnect" ? "disconnect" : "delete",
          file: `jwks/${name}.json`,
        });
        if (source) links.push({ type: "derived-from", from: address, to: "certificate" in source ? addressOf("certificates", source.certificate) : addressOf("trusted", source.trusted) });
        const from = o.labels[LABEL.disconnectedFrom];
        if (from) links.push({ type: "disconnected-from", from: address, to: from.replace(/\[[^\]]*\]$/, "") });
        break;
      }
    }
  }
  const order = (k: ResourceKind) => RESOURCE_KINDS.indexOf(k);
  objects.sort((a, b) => order(a.kind) - order(b.kind) || cmp(a.name, b.name));
  links.sort((a, b) => cmp(a.from, b.from) || cmp(a.type, b.type) || cmp(a.to, b.to));
  requests.sort((a, b) => cmp(a.name, b.name));
  const missing: BundleManifest["missing"] = [];
  for (const o of objects) {
    if (o.kind !== "certificates") continue;
    if (o.key.status !== "included") missing.push({ what: `key of ${o.address}`, address: o.address, reason: o.key.reason ?? o.key.status });
    if (o.issuerKey && o.issuerKey.status !== "included") missing.push({ what: `issuer key of ${o.address}`, address: o.address, reason: o.issuerKey.reason ?? o.issuerKey.status });
  }
  for (const r of requests) missing.push({ what: `key of ${r.address}`, address: r.address, reason: r.key.reason ?? r.key.status });
  // Stable: a certificate's key stays before its issuer key.
  missing.sort((a, b) => cmp(a.address, b.address));
  return {
    manifest: {
      format: BUNDLE_FORMAT,
      format_version: BUNDLE_FORMAT_VERSION,
      certform_version: input.version,
      // The revision moves with any write to the gateway, another stack's included: only a whole-gateway
      // (--all) bundle records it, so that exporting the same owned objects twice stays byte-identical.
      source: { stack: input.stack, environment: input.environment, gateway: input.gateway, ...(input.all ? { revision: input.revision } : {}), scope: input.all ? "all" : "owned" },
      objects,
      ...(requests.length > 0 ? { requests } : {}),
      links,
      missing,
    },
    files,
  };
}

/** Resource names: from the stack's address label where it owns the object, else the gateway's name; unique per kind. */
function nameObjects(objects: LiveObject[], input: CollectInput): { o: LiveObject; name: string; owned: boolean }[] {
  const taken = new Set<string>();
  const withOwner = objects.map((o) => {
    const owned = ownedHere(o, input.stack, input.environment);
    const m = /^([A-Za-z]+)\.([^[]+)\[/.exec(o.labels[LABEL.address] ?? "");
    const declaredName = owned && m && m[1] === KIND_OF_COLLECTION[o.collection] && NAME_PATTERN.test(m[2]!) ? m[2]! : undefined;
    return { o, owned, want: declaredName ?? slug(o.name, o.collection === "trusted" ? "trusted" : "object") };
  });
  // Owned objects claim their names first, so that an unowned object of the same name gives way.
  const sorted = [...withOwner].sort((a, b) => Number(b.owned) - Number(a.owned) || cmp(a.o.collection, b.o.collection) || cmp(a.want, b.want));
  return sorted.map(({ o, owned, want }) => {
    let name = want;
    for (let i = 2; taken.has(`${o.collection}\u0000${name.toLowerCase()}`); i++) name = `${want.slice(0, 60)}-${i}`;
    taken.add(`${o.collection}\u0000${name.toLowerCase()}`);
    return { o, name, owned };
  });
}

const objectKey = (c: LiveCollection, name: string) => `${c}\u0000${c === "trusted" ? name.toLowerCase() : name}`;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
