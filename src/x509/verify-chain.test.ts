// chainVerifies must say what a real TLS client with exactly those CAs decides: each case is checked against
// a handshake with Node's TLS (as the gateway's backend agents make it) on a server the test starts.
import type { X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daysAgo, issue, leaf, makeCa, makeIntermediate, toPem, type Issued } from "../../test/support/pki.js";
import { captureChain } from "./capture.js";
import { chainVerifies } from "./verify-chain.js";

let root: Issued;
let intermediate: Issued;
let other: Issued;
let server: Issued;
let selfSigned: Issued;
let expired: Issued;
const servers: Server[] = [];

async function serve(chain: X509Certificate[], key: Issued): Promise<string> {
  const s = createServer({ cert: toPem(chain), key: key.keyPem }, (_q, r) => r.end());
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  servers.push(s);
  return `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** What Node's TLS client decides with `ca` set to exactly these (host name aside). */
function nodeDecides(url: string, trusted: X509Certificate[]): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: Number(port), ca: trusted.map((t) => toPem(t)), rejectUnauthorized: false }, () => {
      resolve(socket.authorized);
      socket.destroy();
    });
    socket.once("error", reject);
  });
}

beforeAll(async () => {
  root = await makeCa({ subject: "CN=Root" });
  other = await makeCa({ subject: "CN=Other" });
  intermediate = await makeIntermediate(root);
  server = await leaf({ issuer: intermediate, hosts: ["127.0.0.1"] });
  selfSigned = await leaf({ hosts: ["127.0.0.1"] });
  expired = await issue({ issuer: root, hosts: ["127.0.0.1"], notBefore: daysAgo(30), notAfter: daysAgo(1) });
});
afterAll(() => {
  for (const s of servers) s.close();
});

describe("chainVerifies agrees with a real TLS client", () => {
  const cases: { name: string; sends: () => [X509Certificate[], Issued]; trust: () => X509Certificate[]; verifies: boolean }[] = [
    { name: "leaf+intermediate, root trusted", sends: () => [[server.certificate, intermediate.certificate], server], trust: () => [root.certificate], verifies: true },
    { name: "leaf+intermediate, another root trusted", sends: () => [[server.certificate, intermediate.certificate], server], trust: () => [other.certificate], verifies: false },
    { name: "leaf+intermediate, both roots trusted", sends: () => [[server.certificate, intermediate.certificate], server], trust: () => [other.certificate, root.certificate], verifies: true },
    { name: "leaf+intermediate, only the intermediate trusted", sends: () => [[server.certificate, intermediate.certificate], server], trust: () => [intermediate.certificate], verifies: false },
    { name: "leaf+intermediate, nothing trusted", sends: () => [[server.certificate, intermediate.certificate], server], trust: () => [], verifies: false },
    { name: "leaf alone, root trusted (intermediate missing)", sends: () => [[server.certificate], server], trust: () => [root.certificate], verifies: false },
    { name: "leaf alone, intermediate and root trusted", sends: () => [[server.certificate], server], trust: () => [intermediate.certificate, root.certificate], verifies: true },
    { name: "leaf+intermediate+root, root trusted", sends: () => [[server.certificate, intermediate.certificate, root.certificate], server], trust: () => [root.certificate], verifies: true },
    { name: "leaf+intermediate+root, another root trusted", sends: () => [[server.certificate, intermediate.certificate, root.certificate], server], trust: () => [other.certificate], verifies: false },
    { name: "self-signed leaf trusted as itself", sends: () => [[selfSigned.certificate], selfSigned], trust: () => [selfSigned.certificate], verifies: true },
    { name: "self-signed leaf, a root trusted", sends: () => [[selfSigned.certificate], selfSigned], trust: () => [root.certificate], verifies: false },
    { name: "expired leaf, its root trusted", sends: () => [[expired.certificate], expired], trust: () => [root.certificate], verifies: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const [chain, key] = c.sends();
      const url = await serve(chain, key);
      const captured = await captureChain(url, { timeoutMs: 5000 });
      expect(await nodeDecides(url, c.trust())).toBe(c.verifies);
      expect(chainVerifies(captured, c.trust(), new Date())).toBe(c.verifies);
    });
  }
});
