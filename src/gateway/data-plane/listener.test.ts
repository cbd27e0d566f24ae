/**
 * The listener reads each ClientHello before TLS starts (listener.ts): whatever a client sends, slowly,
 * in pieces, or not TLS at all, it gets the certificate its name selects or a closed connection, and the
 * listener keeps serving everyone else.
 */
import { connect as tcpConnect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issue, makeCa, type Issued } from "../../../test/support/pki.js";
import { handshake, startPlane, state, storedCert, type Running } from "../../../test/support/data-plane.js";

let gw: Running;
let rsaHost: Issued;
let ecDefault: Issued;
const relays: Server[] = [];

beforeAll(async () => {
  const ca = await makeCa();
  [rsaHost, ecDefault] = await Promise.all([issue({ issuer: ca, hosts: ["checkout.example.com"], keyType: "rsa-2048" }), issue({ issuer: ca, hosts: ["www.example.com"], keyType: "ec-p256" })]);
  gw = await startPlane(state({ certificates: [storedCert("checkout", rsaHost, { hosts: ["checkout.example.com"] }), storedCert("www", ecDefault, { hosts: ["www.example.com"], default: true })] }), { handshakeTimeoutMs: 500 });
});
afterAll(async () => {
  for (const r of relays) r.close();
  await gw?.close();
});

/** A TCP relay to the gateway that passes the client's first bytes on one at a time, as a slow network would. */
async function tricklingRelay(bytes: number): Promise<number> {
  const relay = createTcpServer((client) => {
    const upstream = tcpConnect(gw.port, "127.0.0.1");
    let sent = 0;
    const queue: Buffer[] = [];
    let draining = false;
    const drain = async () => {
      if (draining) return;
      draining = true;
      while (queue.length > 0) {
        const chunk = queue.shift()!;
        for (let i = 0; i < chunk.length; i++) {
          if (sent < bytes) {
            upstream.write(chunk.subarray(i, i + 1));
            sent++;
            await new Promise((r) => setImmediate(r));
          } else {
            upstream.write(chunk.subarray(i));
            break;
          }
        }
      }
      draining = false;
    };
    client.on("data", (d: Buffer) => {
      queue.push(d);
      void drain();
    });
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  relays.push(relay);
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  return (relay.address() as AddressInfo).port;
}

/** A TCP relay to the gateway that passes the client's first record on as several records of `size` bytes each. */
async function reframingRelay(size: number): Promise<number> {
  const relay = createTcpServer((client) => {
    const upstream = tcpConnect(gw.port, "127.0.0.1");
    let first: Buffer | undefined = Buffer.alloc(0);
    client.on("data", (d: Buffer) => {
      if (!first) return void upstream.write(d);
      first = Buffer.concat([first, d]);
      if (first.length < 5 || first.length < 5 + first.readUInt16BE(3)) return;
      const end = 5 + first.readUInt16BE(3);
      const message = first.subarray(5, end);
      for (let i = 0; i < message.length; i += size) {
        const fragment = message.subarray(i, i + size);
        upstream.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, fragment.length >> 8, fragment.length & 0xff]), fragment]));
      }
      upstream.write(first.subarray(end));
      first = undefined;
    });
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  relays.push(relay);
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  return (relay.address() as AddressInfo).port;
}

function closedWithin(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

describe("the data plane's listener", () => {
  it("serves the selected certificate to a ClientHello that arrives a byte at a time", async () => {
    const port = await tricklingRelay(600);
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      expect(await handshake(port, "checkout.example.com", { minVersion: version, maxVersion: version })).toBe(rsaHost.certificate.fingerprint256);
      expect(await handshake(port, undefined, { minVersion: version, maxVersion: version })).toBe(ecDefault.certificate.fingerprint256);
    }
  });

  it("serves the selected certificate to a ClientHello spread over several TLS records", async () => {
    const port = await reframingRelay(64);
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      expect(await handshake(port, "checkout.example.com", { minVersion: version, maxVersion: version })).toBe(rsaHost.certificate.fingerprint256);
      expect(await handshake(port, undefined, { minVersion: version, maxVersion: version })).toBe(ecDefault.certificate.fingerprint256);
    }
  });

  it("closes a connection that sends no ClientHello in time, and one that does not speak TLS", async () => {
    const silent = tcpConnect(gw.port, "127.0.0.1");
    await closedWithin(silent);
    const http = tcpConnect(gw.port, "127.0.0.1", () => http.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await closedWithin(http);
    const partial = tcpConnect(gw.port, "127.0.0.1", () => partial.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])));
    await closedWithin(partial);
    expect(await handshake(gw.port, "checkout.example.com")).toBe(rsaHost.certificate.fingerprint256);
  });
});
