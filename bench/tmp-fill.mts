import { readFileSync } from "node:fs";
import { openStore } from "../src/gateway/store/index.js";
const cache = JSON.parse(readFileSync(new URL("./.cache/gateway-material.json", import.meta.url), "utf8"));
const dir = process.argv[2]!;
const store = await openStore(dir, { node: "bench", environment: "bench" });
const certs: Record<string, unknown> = {};
cache.leaves.slice(0, 10000).forEach((l: any, i: number) => { certs[`c${i}`] = { name: `c${i}`, hosts: [l.host], default: i === 0, chainPem: l.pem + cache.intermediatePem, keyPem: l.keyPem, generated: false, labels: {}, updatedRevision: 1 }; });
await store.commit((s) => ({ ...s, certificates: certs as any }));
await store.close();
