// Shared by the fault tests (test/faults-*.test.ts): a seeded random source whose seed goes into every failure
// message, and a read-back of what a node's store holds, by the address certform labelled each object with.
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
