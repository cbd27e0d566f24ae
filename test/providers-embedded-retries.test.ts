import type { IncomingMessage } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { faultProxy as startFaultProxy, type Fault } from "./support/faults.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerFailure as failure } from "./support/capture.js";
import { providerFor, type AttemptInfo, type Operation, type Provider, type ProviderOptions } from "../src/providers/index.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";

// Retries: connection errors and 5xx are retried with backoff, within bounds, and a batch only when it
// provably never reached the node. Attempts are counted (onAttempt, and what the proxy saw), not timed.

let gw: GatewayProcess;
const providers: Provider[] = [];
const proxies: { close(): void }[] = [];
const FAST = { baseMs: 5, maxMs: 20 };

function embedded(opts: ProviderOptions & { attempts?: AttemptInfo[] } = {}): Provider {
  const { attempts, ...rest } = opts;
  const p = providerFor({ type: "embedded", nodes: [], timeout: "5s" }, { backoff: FAST, ...rest, ...(attempts ? { onAttempt: (a: AttemptInfo) => attempts.push(a) } : {}) });
  providers.push(p);
  return p;
}

/** A port that was free a moment ago: nothing listens on it. */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fault-injecting proxy in front of the real gateway, closed after the tests. */
async function faultProxy(target: string, fault: (req: IncomingMessage) => Fault | Promise<Fault>) {
  const proxy = await startFaultProxy(target, fault);
  proxies.push(proxy);
  return proxy;
}

const revision = async (): Promise<number> => (await api(gw.admin, "GET", "/v1/status")).body.revision;
const endpoint = (name: string): Operation => ({ op: "put", collection: "endpoints", name, body: { url: `http://${name}.internal`, path: `/${name}` } });

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  for (const p of providers) p.close?.();
  for (const p of proxies) p.close();
  await gw?.stop();
});

describe("embedded provider: retries", () => {
  it("reads a node that is down, then comes up within the retry window", async () => {
    const port = await freePort();
    const node = `http://127.0.0.1:${port}`;
    const attempts: AttemptInfo[] = [];
    // The fixed half of each wait alone (100+200+400+500·5 ms) is longer than a gateway takes to start.
    const reading = embedded({ retries: 8, backoff: { baseMs: 200, maxMs: 1000 }, attempts }).read(node);
    let late: GatewayProcess | undefined;
    try {
      await new Promise((r) => setTimeout(r, 300));
      late = await startGateway({ extraArgs: ["--admin", `127.0.0.1:${port}`] });
      const live = await reading;
      expect(live).toMatchObject({ node, revision: 0, objects: [] });
      const statusAttempts = attempts.filter((a) => a.path === "/v1/status").map((a) => a.attempt);
      expect(statusAttempts.length).toBeGreaterThan(1);
      expect(statusAttempts.at(-1)).toBeLessThanOrEqual(9);
    } finally {
      await late?.stop();
    }
  });

  it("fails with 'unreachable' after a bounded number of attempts when the node stays down", async () => {
    const node = `http://127.0.0.1:${await freePort()}`;
    const attempts: AttemptInfo[] = [];
    const err = await failure(() => embedded({ retries: 3, attempts }).read(node));
    expect(err).toMatchObject({ code: "unreachable", node });
    expect(err.details).toMatchObject({ attempts: 4, cause: "ECONNREFUSED" });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
  });

  it("retries a batch whose connection was refused: it never reached the node", async () => {
    const node = `http://127.0.0.1:${await freePort()}`;
    const attempts: AttemptInfo[] = [];
    const err = await failure(() => embedded({ retries: 2, attempts }).apply(node, [endpoint("refused")]));
    expect(err.code).toBe("unreachable");
    expect(err.details).not.toHaveProperty("outcome");
    expect(attempts).toHaveLength(3);
  });

  it("retries reads on 5xx and on a reset connection", async () => {
    let faults = 0;
    const proxy = await faultProxy(gw.admin, () => (faults++ === 0 ? "503" : faults === 2 ? "reset" : undefined));
    const live = await embedded({ retries: 3 }).read(proxy.url);
    expect(live.revision).toBe(await revision());
    expect(proxy.seen.slice(0, 3)).toEqual(["GET /v1/status 503", "GET /v1/status reset", "GET /v1/status ok"]);
  });

  it("does not retry a batch answered with a 5xx, and says its outcome is unknown", async () => {
    const proxy = await faultProxy(gw.admin, (req) => (req.url === "/v1/batch" ? "503" : undefined));
    const err = await failure(() => embedded({ retries: 3 }).apply(proxy.url, [endpoint("five-hundred")]));
    expect(err).toMatchObject({ code: "unavailable", status: 503 });
    expect(err.details).toMatchObject({ attempts: 1, outcome: "unknown" });
    expect(proxy.seen.filter((s) => s.startsWith("POST"))).toHaveLength(1);
  });

  it("does not resend a batch whose answer was lost: the node applied it exactly once", async () => {
    const before = await revision();
    const proxy = await faultProxy(gw.admin, (req) => (req.url === "/v1/batch" ? "forward-then-reset" : undefined));
    const err = await failure(() => embedded({ retries: 3 }).apply(proxy.url, [endpoint("lost-answer")]));
    expect(err.code).toBe("unreachable");
    expect(err.details).toMatchObject({ attempts: 1, outcome: "unknown" });
    expect(err.message).toMatch(/may or may not have applied it/);
    expect(proxy.seen.filter((s) => s.startsWith("POST"))).toHaveLength(1);
    expect(await revision()).toBe(before + 1);
  });

  it("reads all collections at one revision: a write landing mid-read starts the read again, a bounded number of times", async () => {
    let writes = 0;
    // A write to the node just before it answers the certificates list: the lists then disagree.
    const writeFirst = (times: number) => async (req: IncomingMessage) => {
      if (req.url === "/v1/certificates" && writes < times) await api(gw.admin, "PUT", `/v1/endpoints/mid-read-${++writes}`, { url: "http://m.internal", path: `/m${writes}` });
      return undefined;
    };
    const once = await faultProxy(gw.admin, writeFirst(1));
    const live = await embedded().read(once.url);
    expect(live.revision).toBe(await revision());
    expect(live.objects.some((o) => o.name === "mid-read-1")).toBe(true);
    expect(once.seen.filter((s) => s.startsWith("GET /v1/status"))).toHaveLength(2);

    const always = await faultProxy(gw.admin, writeFirst(Infinity));
    const err = await failure(() => embedded().read(always.url));
    expect(err.code).toBe("revision-unstable");
    expect(always.seen.filter((s) => s.startsWith("GET /v1/status"))).toHaveLength(5);
  });

  it("times out a node that accepts and never answers, retrying reads within the bound", async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const node = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const attempts: AttemptInfo[] = [];
      const err = await failure(() => embedded({ retries: 1, timeoutMs: 150, attempts }).read(node));
      expect(err.code).toBe("timeout");
      expect(err.details).toMatchObject({ attempts: 2 });
      expect(attempts).toHaveLength(2);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe("embedded provider: a guarded batch whose outcome was lost", () => {
  it("is sent again when the node shows it did not apply it, and applies once", async () => {
    let failed = 0;
    const proxy = await faultProxy(gw.admin, (req) => (req.url === "/v1/batch" && failed++ === 0 ? "503" : undefined));
    const before = await revision();
    const result = await embedded({ retries: 3 }).apply(proxy.url, [endpoint("resent")], { ifRevision: before });
    expect(result.revision).toBe(before + 1);
    expect(await revision()).toBe(before + 1);
    expect(proxy.seen.filter((s) => s.startsWith("POST"))).toEqual(["POST /v1/batch 503", "POST /v1/batch ok"]);
  });

  it("is taken as applied, not sent again, when the revision moved by one under this apply's lock", async () => {
    const holder = "lost-answer-apply";
    expect((await api(gw.admin, "POST", "/v1/lock", { holder, purpose: "test", ttlSeconds: 60 })).status).toBe(200);
    try {
      const proxy = await faultProxy(gw.admin, (req) => (req.url === "/v1/batch" ? "forward-then-reset" : undefined));
      const before = await revision();
      const result = await embedded({ retries: 3 }).apply(proxy.url, [endpoint("settled")], { ifRevision: before, lockHolder: holder });
      expect(result.revision).toBe(before + 1);
      expect(proxy.seen.filter((s) => s.startsWith("POST"))).toHaveLength(1);
      expect((await api(gw.admin, "GET", "/v1/endpoints/settled")).status).toBe(200);
    } finally {
      await api(gw.admin, "DELETE", "/v1/lock?force=true");
    }
  });

  it("stays an error of unknown outcome when the node moved otherwise, or answers 5xx every time", async () => {
    const proxy = await faultProxy(gw.admin, (req) => (req.url === "/v1/batch" ? "503" : undefined));
    const before = await revision();
    const err = await failure(() => embedded({ retries: 2 }).apply(proxy.url, [endpoint("never")], { ifRevision: before }));
    expect(err).toMatchObject({ code: "unavailable", status: 503 });
    expect(err.details).toMatchObject({ outcome: "unknown" });
    expect(err.message).toMatch(/may or may not have applied it/);
    expect(proxy.seen.filter((s) => s.startsWith("POST"))).toHaveLength(3);
    expect(await revision()).toBe(before);
  });
});
