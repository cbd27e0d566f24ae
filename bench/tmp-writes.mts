import { readFileSync } from "node:fs";
const cache = JSON.parse(readFileSync(new URL("./.cache/gateway-material.json", import.meta.url), "utf8"));
const admin = process.argv[2]!;
const times: number[] = [];
for (let i = 0; i < 20; i++) {
  const l = cache.leaves[10000 + (i % 4)];
  const t = performance.now();
  const r = await fetch(`${admin}/v1/certificates/w${i}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ chain: l.pem + cache.intermediatePem, key: l.keyPem }) });
  await r.text();
  times.push(performance.now() - t);
}
console.log(times.map((t) => t.toFixed(0)).join(" "));
