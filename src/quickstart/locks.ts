import { LOOPBACK, type QuickstartNode } from "./layout.js";

/**
 * The quickstart just started these nodes from their own stores, so a lock one of them holds was left by a
 * quickstart that was killed mid-apply: release it (as `certform force-unlock` would) and say so.
 * Returns one line per released lock.
 */
export async function releaseLeftLocks(nodes: readonly QuickstartNode[]): Promise<string[]> {
  const released: string[] = [];
  for (const node of nodes) {
    const admin = `http://${LOOPBACK}:${node.adminPort}`;
    const status = await getJson(`${admin}/v1/status`);
    const lock = (status as { lock?: { holder?: unknown } | null } | undefined)?.lock;
    if (!lock) continue;
    const res = await fetch(`${admin}/v1/lock?force=true`, { method: "DELETE" });
    await res.arrayBuffer();
    if (res.ok) released.push(`released a lock left on ${node.name} by an interrupted run (${String(lock.holder)})`);
  }
  return released;
}

async function getJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url);
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}
