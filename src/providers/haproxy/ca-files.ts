import { type X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { certificatesToPem, decodeCertificates } from "../../x509/index.js";
import { committedUsers, expectAnswer, parseStoreList, sha1sOf, unexpected } from "./answers.js";
import { writeAtomically } from "./files.js";
import type { Layout } from "./layout.js";
import type { RuntimeClient } from "./runtime.js";
import type { StateFile } from "./state-file.js";

// Backend trust: each endpoint's backend verifies its server against the endpoint's CA file, which holds
// the placeholder CA (HAProxy refuses to start on an empty CA file) and every certificate trusted for the
// endpoint, by a binding to it or to the whole environment. `add ssl ca-file` does not exist in 2.6, so
// the files are those the configuration loads, changed with set and commit.

/** What each endpoint's CA file should hold, for every CA file of certform's that HAProxy loaded. */
export function desiredCaFiles(state: StateFile, loaded: readonly string[], placeholder: X509Certificate): Map<string, X509Certificate[]> {
  const out = new Map<string, X509Certificate[]>();
  for (const endpoint of loaded) {
    const certs = new Map([[placeholder.fingerprint256, placeholder]]);
    if (state.endpoints[endpoint]) {
      for (const t of Object.values(state.trust)) {
        if (t.endpoint !== endpoint && !(t.endpoint === undefined && t.scope === "environment")) continue;
        const trusted = state.trusted[t.alias];
        if (!trusted) continue;
        const cert = decodeCertificates(trusted.certificate)[0]!;
        certs.set(cert.fingerprint256, cert);
      }
    }
    out.set(endpoint, [...certs.values()]);
  }
  return out;
}

/** Brings every CA file HAProxy loaded from certform's directory to what the state says, on disk and live. */
export async function syncCaFiles(client: RuntimeClient, layout: Layout, node: string, state: StateFile): Promise<void> {
  const prefix = `${layout.caFile("x").slice(0, -"x.pem".length)}`;
  const loaded = parseStoreList(await client.send(node, "show ssl ca-file")).names.filter((n) => n.startsWith(prefix) && n.endsWith(".pem")).map((n) => n.slice(prefix.length, -4));
  const placeholder = decodeCertificates(await readFile(layout.placeholderCa))[0]!;
  for (const [endpoint, certs] of desiredCaFiles(state, loaded, placeholder)) {
    const path = layout.caFile(endpoint);
    const have = sha1sOf(await client.send(node, `show ssl ca-file ${path}`)).sort();
    const want = certs.map((c) => c.fingerprint.replace(/:/g, "")).sort();
    if (have.join() === want.join()) continue;
    const pem = certificatesToPem(certs);
    await writeAtomically(path, pem);
    expectAnswer(node, `set ssl ca-file ${path}`, await client.send(node, `set ssl ca-file ${path}`, pem), new RegExp(`ransaction (created|updated) for CA ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}!`));
    const commit = await client.send(node, `commit ssl ca-file ${path}`);
    // The generated configuration gives every backend's server a client certificate (`crt`): without one a
    // commit says Success and reaches no server, which shows here as no dot.
    if (!committedUsers(commit, path)) throw unexpected(node, `commit ssl ca-file ${path}`, commit);
  }
}
