import { ProviderError, type ApplyOptions, type Operation } from "../provider.js";
import { abortStrayTransaction, deleteCertificate, persistCrtList, putCertificate } from "./certificates.js";
import { syncCaFiles } from "./ca-files.js";
import { serverMatches } from "./answers.js";
import { readSnapshot, type NodeSnapshot } from "./fetcher.js";
import { backendOf, type Layout } from "./layout.js";
import type { RuntimeClient } from "./runtime.js";
import { writeState, type StateFile } from "./state-file.js";

// Applying operations to one HAProxy node, in the plan's order, one at a time (HAProxy has no batch): the
// runtime API for what it serves, the state file for the rest, then the CA files that trust changes reach.
// Whatever happens, the state file and the crt-list file end matching what HAProxy holds.

export function applyOperations(client: RuntimeClient, layout: Layout, node: string, operations: readonly Operation[], opts: ApplyOptions = {}): Promise<{ revision: number }> {
  return client.exclusive(node, async () => {
    const snap = await readSnapshot(client, layout, node);
    if (opts.ifRevision !== undefined && snap.revision !== opts.ifRevision) {
      throw new ProviderError(`node ${node}: HAProxy's state is at revision ${snap.revision}, not ${opts.ifRevision}`, "stale", node, 412, { revision: snap.revision, expected: opts.ifRevision }, "the node changed since it was read: plan again");
    }
    if (operations.length === 0) return { revision: snap.revision };
    await abortStrayTransaction(client, layout, node);
    const state = snap.state;
    let failed = false;
    try {
      for (const [index, op] of operations.entries()) {
        try {
          await applyOne(client, layout, node, state, snap, op);
        } catch (err) {
          failed = true;
          if (err instanceof ProviderError) throw new ProviderError(`node ${node}: operation ${index} (${op.op} ${op.collection}/${op.name}): ${err.message.replace(`node ${node}: `, "")}`, err.code, node, err.status, { ...err.details, index, applied: index }, err.hint);
          throw err;
        }
      }
    } finally {
      await writeState(layout.stateFile(node), state);
      await persistCrtList(client, layout, node).catch((err: unknown) => {
        if (!failed) throw err;
      });
    }
    await syncCaFiles(client, layout, node, state);
    return { revision: (await readSnapshot(client, layout, node)).revision };
  });
}

const labelsOf = (body: Record<string, unknown>): Record<string, string> => ({ ...((body.labels as Record<string, string> | undefined) ?? {}) });

async function applyOne(client: RuntimeClient, layout: Layout, node: string, state: StateFile, snap: NodeSnapshot, op: Operation): Promise<void> {
  const { name } = op;
  if (op.op === "delete") {
    if (op.collection === "certificates") {
      await deleteCertificate(client, layout, node, name);
      delete state.certificates[name];
    } else if (op.collection === "trusted") delete state.trusted[name];
    else if (op.collection === "endpoints") delete state.endpoints[name];
    else if (op.collection === "trust") delete state.trust[name];
    else throw unsupported(node, op.collection);
    return;
  }
  const body = op.body;
  switch (op.collection) {
    case "certificates": {
      if (body.default === true) throw unsupported(node, "default certificates");
      const pem = typeof body.chain === "string" ? `${body.chain.trim()}\n${String(body.key ?? "").trim()}\n` : undefined;
      if (pem !== undefined && typeof body.key !== "string") throw new ProviderError(`node ${node}: certificate ${name} came without its key`, "bad-request", node);
      await putCertificate(client, layout, node, { name, hosts: (body.hosts as string[] | undefined) ?? [], ...(pem !== undefined ? { pem } : {}) });
      const before = state.certificates[name];
      state.certificates[name] = { labels: labelsOf(body), default: false, generated: pem !== undefined ? body.generated === true : (before?.generated ?? false) };
      return;
    }
    case "trusted":
      state.trusted[name] = { labels: labelsOf(body), certificate: String(body.certificate) };
      return;
    case "endpoints":
      // Backends are configuration: certform records an endpoint only where the running configuration has it.
      if (!snap.backends.has(backendOf(name)) || !serverMatches(snap.servers.get(name), String(body.url))) {
        const what = snap.backends.has(backendOf(name)) ? `its backend ${backendOf(name)} does not connect to ${String(body.url)}` : `HAProxy has no backend ${backendOf(name)}`;
        throw new ProviderError(`node ${node}: endpoint ${name}: ${what}; regenerate the configuration (certform haproxy config) and reload HAProxy, then apply again`, "not-configured", node, undefined, undefined, "backends are HAProxy configuration: regenerate it with certform haproxy config, then reload HAProxy");
      }
      state.endpoints[name] = { labels: labelsOf(body), url: String(body.url), path: String(body.path) };
      return;
    case "trust": {
      if (body.scope === "management" || body.scope === "clients") throw unsupported(node, `trust with scope ${String(body.scope)}`);
      state.trust[name] = { labels: labelsOf(body), alias: String(body.alias), ...(typeof body.endpoint === "string" ? { endpoint: body.endpoint } : {}), ...(typeof body.scope === "string" ? { scope: body.scope } : {}) };
      return;
    }
    default:
      throw unsupported(node, op.collection);
  }
}

const unsupported = (node: string, what: string) => new ProviderError(`node ${node}: HAProxy cannot hold ${what}`, "unsupported", node, undefined, undefined, "keep it to environments on another gateway type");
