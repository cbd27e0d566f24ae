import { rm } from "node:fs/promises";
import { ProviderError } from "../provider.js";
import { committedUsers, expectAnswer, unexpected, parseCrtList, parseStoreList } from "./answers.js";
import { writeAtomically } from "./files.js";
import type { Layout } from "./layout.js";
import type { RuntimeClient } from "./runtime.js";

// Server certificates through the runtime API, with HAProxy 2.6's traps handled: a certificate's PEM goes
// in a `<<` payload (blank lines removed), set and commit run back to back under the node's exclusive turn
// and every answer must name the certificate meant, SNI filters are added only in the payload form (the
// one-line form drops them), and a certificate leaves its crt-list before `del ssl cert`, which refuses it otherwise.

export interface CertificateWrite {
  name: string;
  /** Chain then key, PEM; absent when only the hosts change. */
  pem?: string;
  hosts: string[];
}

/** Aborts a certificate transaction left open (by an apply that died between set and commit), if it is certform's. */
export async function abortStrayTransaction(client: RuntimeClient, layout: Layout, node: string): Promise<void> {
  const { transaction } = parseStoreList(await client.send(node, "show ssl cert"));
  if (transaction === undefined) return;
  if (!transaction.startsWith(`${layout.dir}/`)) {
    throw new ProviderError(`node ${node}: a certificate transaction is open on ${transaction}, which is not certform's`, "busy", node, undefined, { transaction }, `commit or abort it (abort ssl cert ${transaction}) first: HAProxy holds one transaction at a time`);
  }
  expectAnswer(node, `abort ssl cert ${transaction}`, await client.send(node, `abort ssl cert ${transaction}`), transaction);
}

export async function putCertificate(client: RuntimeClient, layout: Layout, node: string, write: CertificateWrite): Promise<void> {
  const path = layout.certificate(write.name);
  const loaded = parseStoreList(await client.send(node, "show ssl cert")).names.includes(path);
  const entries = () => client.send(node, `show ssl crt-list -n ${layout.crtList}`).then((a) => parseCrtList(a).filter((e) => e.certificate === path));
  const before = await entries();
  if (write.pem !== undefined) {
    // The file first: a restarted HAProxy must serve what the runtime API is about to.
    await writeAtomically(path, write.pem);
    if (!loaded) expectAnswer(node, `new ssl cert ${path}`, await client.send(node, `new ssl cert ${path}`), `New empty certificate store '${path}'`);
    const set = await client.send(node, `set ssl cert ${path}`, write.pem);
    try {
      expectAnswer(node, `set ssl cert ${path}`, set, new RegExp(`Transaction (created|updated) for certificate ${escape(path)}!`));
    } catch (err) {
      // The PEM may have gone into another certificate's open transaction: abort it rather than commit it.
      await abortStrayTransaction(client, layout, node).catch(() => undefined);
      throw err;
    }
    const commit = await client.send(node, `commit ssl cert ${path}`);
    const users = committedUsers(commit, path);
    // A certificate in the crt-list has at least one user: no dot means HAProxy changed nothing.
    if (users === undefined || (before.length > 0 && users === 0)) throw unexpected(node, `commit ssl cert ${path}`, commit);
  }
  const want = [...write.hosts].sort().join(" ");
  if (before.length === 1 && [...before[0]!.filters].sort().join(" ") === want) return;
  // The new entry before the old ones go: the certificate keeps serving its hosts throughout.
  const line = `${path}${want ? ` ${want}` : ""}`;
  expectAnswer(node, `add ssl crt-list ${layout.crtList}`, await client.send(node, `add ssl crt-list ${layout.crtList}`, line), `Inserting certificate '${path}'`, "Success!");
  for (const old of before.sort((a, b) => b.line - a.line)) await removeEntry(client, layout, node, path, old.line);
}

export async function deleteCertificate(client: RuntimeClient, layout: Layout, node: string, name: string): Promise<void> {
  const path = layout.certificate(name);
  const entries = parseCrtList(await client.send(node, `show ssl crt-list -n ${layout.crtList}`)).filter((e) => e.certificate === path);
  for (const e of entries.sort((a, b) => b.line - a.line)) await removeEntry(client, layout, node, path, e.line);
  if (parseStoreList(await client.send(node, "show ssl cert")).names.includes(path)) {
    expectAnswer(node, `del ssl cert ${path}`, await client.send(node, `del ssl cert ${path}`), `Certificate '${path}' deleted!`);
  }
  await rm(path, { force: true });
}

async function removeEntry(client: RuntimeClient, layout: Layout, node: string, path: string, line: number): Promise<void> {
  const answer = await client.send(node, `del ssl crt-list ${layout.crtList} ${path}:${line}`);
  expectAnswer(node, `del ssl crt-list ${layout.crtList} ${path}:${line}`, answer, `Entry '${path}' deleted in crtlist '${layout.crtList}'!`);
}

/** The crt-list file as HAProxy holds it now, so that a restart loads the same entries. */
export async function persistCrtList(client: RuntimeClient, layout: Layout, node: string): Promise<void> {
  const entries = parseCrtList(await client.send(node, `show ssl crt-list -n ${layout.crtList}`));
  await writeAtomically(layout.crtList, entries.map((e) => `${[e.certificate, ...e.filters].join(" ")}\n`).join(""));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
