// Measures TLS handshakes through the embedded gateway's data plane beside a baseline measured in the same
// run: a bare node:tls server holding just the certificate the handshake must get, so the difference is
// what the data plane adds (reading each ClientHello to give every handshake exactly one certificate, the
// SNI lookup, the request handler's set-up).
// Run: npx tsx bench/handshakes.ts [handshakes=400] [concurrency=8]
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:tls";
import { createDataPlane } from "../src/gateway/data-plane/index.js";
import { PersistentMap } from "../src/gateway/persistent-map.js";
import { emptyState, type StoredCertificate } from "../src/gateway/state.js";
import { certificatesToPem, generateCertificate, privateKeyToPem } from "../src/x509/index.js";

const total = Number(process.argv[2] ?? 400);
const concurrency = Number(process.argv[3] ?? 8);

async function stored(name: string, host: string, keyType: "ec-p256" | "rsa-2048", isDefault: boolean): Promise<StoredCertificate> {
  const { certificate, key } = await generateCertificate({ hosts: [host], keyType, validityDays: 30 });
  return { name, hosts: [host], default: isDefault, chainPem: certificatesToPem(certificate), keyPem: privateKeyToPem(key), generated: false, labels: {}, updatedRevision: 1 };
}

const rsaHost = await stored("shop", "shop.example.com", "rsa-2048", false);
const ecDefault = await stored("www", "www.example.com", "ec-p256", true);

async function run(port: number, servername: string | undefined): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const start = process.hrtime.bigint();
      const s = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, minVersion: "TLSv1.3" }, () => {
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await one();
    }),
  );
  return times;
}

function summary(label: string, times: number[], wallMs: number): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
  return `${label.padEnd(34)} ${(times.length / (wallMs / 1000)).toFixed(0).padStart(6)} handshakes/s   median ${median.toFixed(2)} ms   p99 ${p99.toFixed(2)} ms`;
}

async function bareServer(cert: StoredCertificate): Promise<{ port: number; close: () => void }> {
  const server = createServer({ cert: cert.chainPem, key: cert.keyPem }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}
const bareRsa = await bareServer(rsaHost);
const bareEc = await bareServer(ecDefault);

const plane = createDataPlane({ warn: () => {} });
plane.apply({ ...emptyState("bench", "bench"), revision: 1, certificates: PersistentMap.from({ shop: rsaHost, www: ecDefault }) });
await new Promise<void>((r) => plane.server.listen(0, "127.0.0.1", r));
const planePort = (plane.server.address() as AddressInfo).port;

console.log(`${total} TLS 1.3 handshakes, ${concurrency} at a time, client and server in one process`);
for (const [label, port, sni] of [
  ["baseline: bare tls server, RSA", bareRsa.port, "shop.example.com"],
  ["data plane, SNI (RSA host)", planePort, "shop.example.com"],
  ["baseline: bare tls server, EC", bareEc.port, undefined],
  ["data plane, no SNI (EC default)", planePort, undefined],
] as const) {
  await run(port, sni); // warm-up
  const start = performance.now();
  const times = await run(port, sni);
  console.log(summary(label, times, performance.now() - start));
}
bareRsa.close();
bareEc.close();
await plane.close();
