// The floor for bench/handshakes.ts: a bare node:tls server per certificate, in a process of its own,
// that ends every connection as soon as its handshake completes. Nothing Node-based can do less per
// handshake. Args: CERT_FILE KEY_FILE [CERT_FILE KEY_FILE ...]; prints "ready PORT [PORT ...]".
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:tls";

const args = process.argv.slice(2);
const ports: number[] = [];
for (let i = 0; i + 1 < args.length; i += 2) {
  const server = createServer({ cert: readFileSync(args[i]!), key: readFileSync(args[i + 1]!) }, (socket) => socket.end());
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(`ready ${ports.join(" ")}\n`);
process.on("SIGTERM", () => process.exit(0));
