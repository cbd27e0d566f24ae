import { createHash, type X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { certFields, certificatesToPem, decodeCertificates } from "../../x509/index.js";
import type { LiveNode, LiveObject } from "../provider.js";
import { parseCrtList, parseServersState, parseStoreList, serverMatches, sha1sOf, type ServerState } from "./answers.js";
import { BACKEND_PREFIX, backendOf, type Layout } from "./layout.js";
import { readLock } from "./locker.js";
import type { RuntimeClient } from "./runtime.js";
import { parseState, readStateText, type StateFile } from "./state-file.js";

// Reading a node: what HAProxy serves (its certificates, crt-list entries, CA files and backends, from the
// runtime API), joined with the state file for what HAProxy cannot hold. HAProxy is the truth for content:
// a certificate whose file on disk differs from what HAProxy serves reads as changed, and a trust binding
// whose certificate is missing from the endpoint's CA file reads as absent, so the plan puts them right.

export interface NodeSnapshot {
  node: string;
  certs: Map<string, { path: string; sha1: string | undefined; inList: boolean; hosts: string[] }>;
  crtList: ReturnType<typeof parseCrtList>;
  /** The server of each certform backend, by endpoint name. */
  servers: Map<string, ServerState | undefined>;
  /** SHA-1s per endpoint CA file that HAProxy holds. */
  caFiles: Map<string, string[]>;
  backends: Set<string>;
  transaction?: string;
  state: StateFile;
  revision: number;
}

export async function readSnapshot(client: RuntimeClient, layout: Layout, node: string): Promise<NodeSnapshot> {
  const answers: string[] = [];
  const ask = async (cmd: string) => {
    const answer = await client.send(node, cmd);
    answers.push(`${cmd}\n${answer}`);
    return answer;
  };
  const certList = parseStoreList(await ask("show ssl cert"));
  const crtList = parseCrtList(await ask(`show ssl crt-list -n ${layout.crtList}`));
  const backends = new Set((await ask("show backend")).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")));
  const servers = new Map<string, ServerState | undefined>();
  for (const backend of backends) {
    if (!backend.startsWith(BACKEND_PREFIX)) continue;
    // Into the revision as parsed: the raw answer holds times (srv_time_since_last_change) that move by themselves.
    const server = parseServersState(await client.send(node, `show servers state ${backend}`))[0];
    answers.push(`${backend}\u0000${JSON.stringify(server ?? null)}`);
    servers.set(backend.slice(BACKEND_PREFIX.length), server);
  }
  const certs: NodeSnapshot["certs"] = new Map();
  for (const path of certList.names) {
    if (dirname(path) !== dirname(layout.certificate("x")) || !path.endsWith(".pem")) continue;
    const entries = crtList.filter((e) => e.certificate === path);
    certs.set(basename(path, ".pem"), { path, sha1: sha1sOf(await ask(`show ssl cert ${path}`))[0], inList: entries.length > 0, hosts: entries.flatMap((e) => e.filters) });
  }
  const caNames = parseStoreList(await ask("show ssl ca-file")).names;
  const caFiles = new Map<string, string[]>();
  for (const path of caNames) {
    if (dirname(path) !== dirname(layout.caFile("x"))) continue;
    caFiles.set(basename(path, ".pem"), sha1sOf(await ask(`show ssl ca-file ${path}`)));
  }
  const stateText = await readStateText(layout.stateFile(node));
  answers.push(stateText);
  const state = parseState(stateText);
  // The revision is a digest of every answer and of the state file: any write by anyone moves it.
  const revision = Number.parseInt(createHash("sha256").update(answers.join("\u0000")).digest("hex").slice(0, 12), 16);
  return { node, certs, crtList, caFiles, backends, servers, state, revision, ...(certList.transaction !== undefined ? { transaction: certList.transaction } : {}) };
}

export async function fetchLiveNode(client: RuntimeClient, layout: Layout, node: string, listen: string): Promise<LiveNode> {
  const snap = await readSnapshot(client, layout, node);
  const objects: LiveObject[] = [];
  for (const [name, cert] of snap.certs) objects.push(await certificateObject(layout, name, cert, snap));
  const trustedSha1 = new Map<string, string>();
  for (const [alias, t] of Object.entries(snap.state.trusted)) {
    const cert = decodeCertificates(t.certificate)[0]!;
    trustedSha1.set(alias, sha1(cert));
    const f = certFields(cert);
    objects.push({ collection: "trusted", name: alias, labels: { ...t.labels }, fields: { certificate: t.certificate, fingerprint256: cert.fingerprint256, subject: f.subject, issuer: f.issuer, notAfter: f.notAfter.toISOString() } });
  }
  // An endpoint is live where HAProxy has its backend (and, for https, its CA file); its URL is the stored
  // one while HAProxy's server is that URL's, else what HAProxy connects to, so that the plan shows the drift.
  const endpoints = Object.entries(snap.state.endpoints).filter(([name, e]) => snap.backends.has(backendOf(name)) && (!e.url.startsWith("https:") || snap.caFiles.has(name)));
  const https = new Set(endpoints.filter(([, e]) => e.url.startsWith("https:")).map(([n]) => n));
  const bindings = Object.entries(snap.state.trust).filter(([, t]) => {
    const targets = (t.endpoint !== undefined ? [t.endpoint] : t.scope === "environment" ? endpoints.map(([n]) => n) : []).filter((ep) => https.has(ep));
    const want = trustedSha1.get(t.alias);
    // A binding is live only where HAProxy holds its certificate in every CA file it reaches.
    return want !== undefined && targets.every((ep) => snap.caFiles.get(ep)?.includes(want) ?? false);
  });
  for (const [name, e] of endpoints) {
    const trustedAliases = bindings.filter(([, t]) => t.endpoint === name || (t.endpoint === undefined && t.scope === "environment")).map(([, t]) => t.alias);
    const server = snap.servers.get(name);
    const url = serverMatches(server, e.url) || !server ? e.url : `${server.ssl ? "https" : "http"}://${server.fqdn ?? server.addr}:${server.port}`;
    objects.push({ collection: "endpoints", name, labels: { ...e.labels }, fields: { url, path: e.path, trustedAliases: [...new Set(trustedAliases)].sort() } });
  }
  for (const [name, t] of bindings) {
    const fields: Record<string, unknown> = { alias: t.alias };
    if (t.endpoint !== undefined) fields.endpoint = t.endpoint;
    if (t.scope !== undefined) fields.scope = t.scope;
    objects.push({ collection: "trust", name, labels: { ...t.labels }, fields });
  }
  const lock = await readLock(layout);
  return { node, revision: snap.revision, objects, lock: lock ?? null, listen: `https://${listen}` };
}

const sha1 = (cert: X509Certificate) => cert.fingerprint.replace(/:/g, "").toUpperCase();

async function certificateObject(layout: Layout, name: string, cert: { path: string; sha1: string | undefined; hosts: string[] }, snap: NodeSnapshot): Promise<LiveObject> {
  const stored = snap.state.certificates[name];
  const labels = { ...(stored?.labels ?? {}) };
  let chain: X509Certificate[] = [];
  try {
    chain = decodeCertificates(await readFile(layout.certificate(name)), { allowPrivateKey: true });
  } catch {
    // No file, or not one certform can read: the object reads as having other content than any stack's.
  }
  const leaf = chain[0];
  const base = { hosts: cert.hosts, default: stored?.default ?? false, generated: stored?.generated ?? false };
  if (!leaf || sha1(leaf) !== cert.sha1) {
    // What is on disk is not what HAProxy serves: report no chain, so that the plan sends the certificate again.
    return { collection: "certificates", name, labels, fields: { ...base, chain: "", fingerprint256: cert.sha1 ?? "", keyFingerprint256: "" } };
  }
  const f = certFields(leaf);
  return {
    collection: "certificates",
    name,
    labels,
    fields: { ...base, chain: certificatesToPem(chain), fingerprint256: leaf.fingerprint256, keyFingerprint256: f.keyFingerprint256, subject: f.subject, issuer: f.issuer, notBefore: f.notBefore.toISOString(), notAfter: f.notAfter.toISOString() },
  };
}
