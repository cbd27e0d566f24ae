// Shared by the fault tests (test/faults-*.test.ts, test/providers-embedded-retries.test.ts): a seeded random
// source whose seed goes into every failure message, a read-back of what a node's store holds by the address
// certform labelled each object with, and a proxy that injects faults between certform and a real gateway.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { api } from "./gateway.js";

/** mulberry32: a small seeded PRNG, so that a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const COLLECTIONS = ["certificates", "trusted", "endpoints", "trust", "jwks"] as const;

export interface StoredObject {
  collection: string;
  name: string;
  address: string | undefined;
  /** A certificate's fingerprint, an endpoint's URL, a JWK's kid: what tells two versions of one object apart. */
  value: string | undefined;
}

/** Every object a node stores, read through its admin API, sorted by collection and address. */
export async function storedObjects(admin: string, headers: Record<string, string> = {}): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for (const collection of COLLECTIONS) {
    const res = await api(admin, "GET", `/v1/${collection}`, undefined, headers);
    if (res.status !== 200) throw new Error(`GET /v1/${collection} on ${admin}: ${res.status} ${res.text.slice(0, 200)}`);
    for (const item of res.body.items as Record<string, any>[]) {
      out.push({
        collection,
        name: String(item.name ?? item.alias),
        address: item.labels?.["certform.dev/address"],
        value: item.fingerprint256 ?? item.url ?? item.kid ?? item.alias,
      });
    }
  }
  return out.sort((a, b) => `${a.collection} ${a.address}`.localeCompare(`${b.collection} ${b.address}`));
}

/** The lock a node holds, or null. */
export async function lockOf(admin: string): Promise<{ holder: string } | null> {
  return (await api(admin, "GET", "/v1/status")).body.lock;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a fault proxy does with one request: "503" answers it so; "reset" cuts the connection before the gateway
 * sees it; "forward-then-reset" lets the gateway act, then cuts the connection before the answer (a lost
 * response); "hang" never answers; { delayMs } forwards it late; undefined forwards it.
 */
export type Fault = "503" | "reset" | "forward-then-reset" | "hang" | { delayMs: number } | undefined;

export interface FaultProxy {
  url: string;
  /** "METHOD PATH FAULT" per request, in the order they came. */
  seen: string[];
  close(): void;
}

/** A real HTTP proxy in front of a real gateway's admin API that injects faults: `fault(req)` picks one per request. */
export async function faultProxy(target: string, fault: (req: IncomingMessage) => Fault | Promise<Fault>): Promise<FaultProxy> {
  const seen: string[] = [];
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse | undefined, socket: Socket) => {
    const out = httpRequest(new URL(req.url!, target), { method: req.method, headers: req.headers }, (upstream) => {
      if (!res) {
        upstream.resume();
        upstream.on("end", () => socket.destroy());
        return;
      }
      res.writeHead(upstream.statusCode!, upstream.headers);
      upstream.pipe(res);
    });
    out.on("error", () => socket.destroy());
    out.end(body);
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const f = await fault(req);
      seen.push(`${req.method} ${req.url} ${typeof f === "object" ? `delay ${f.delayMs}` : (f ?? "ok")}`);
      if (f === "503") return void res.writeHead(503, { "content-type": "application/json" }).end('{"error":{"code":"unavailable","message":"try later"}}');
      if (f === "reset") return void req.socket.destroy();
      if (f === "hang") return;
      if (typeof f === "object") await sleep(f.delayMs);
      forward(req, Buffer.concat(chunks), f === "forward-then-reset" ? undefined : res, req.socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
