/**
 * readHello on real ClientHellos (what node:tls clients send, captured by a TCP server), whole, cut
 * anywhere, spread over several records, and on what is not a ClientHello.
 */
import { createServer, type AddressInfo } from "node:net";
import { connect, type ConnectionOptions } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHello } from "./client-hello.js";

const server = createServer();
beforeAll(() => new Promise<void>((r) => server.listen(0, "127.0.0.1", r)));
afterAll(() => server.close());

/** The first bytes a TLS client sends: its whole ClientHello (the capture waits for the record to end). */
async function clientHello(opts: ConnectionOptions): Promise<Buffer> {
  const got = new Promise<Buffer>((resolve) => {
    server.once("connection", (socket) => {
      let data = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (data.length >= 5 && data.length >= 5 + data.readUInt16BE(3)) {
          socket.destroy();
          resolve(data);
        }
      });
    });
  });
  const client = connect({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, rejectUnauthorized: false, ...opts });
  client.on("error", () => {});
  return got;
}

/** The same handshake message in records of at most `size` bytes each. */
function reframe(hello: Buffer, size: number): Buffer {
  const message = hello.subarray(5);
  const records: Buffer[] = [];
  for (let i = 0; i < message.length; i += size) {
    const fragment = message.subarray(i, i + size);
    const header = Buffer.from([0x16, 0x03, 0x01, 0, 0]);
    header.writeUInt16BE(fragment.length, 3);
    records.push(header, fragment);
  }
  return Buffer.concat(records);
}

describe("readHello", () => {
  it("reads the server name a TLS 1.2 or 1.3 client asks for, and none when it sends none", async () => {
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      const named = await clientHello({ servername: "Checkout.Example.com", minVersion: version, maxVersion: version });
      expect(readHello(named)).toEqual({ complete: true, servername: "Checkout.Example.com" });
      const anonymous = await clientHello({ minVersion: version, maxVersion: version });
      expect(readHello(anonymous)).toEqual({ complete: true, servername: undefined });
    }
  });

  it("asks for more until the whole ClientHello is there, wherever it was cut", async () => {
    const hello = await clientHello({ servername: "api.example.com" });
    for (let cut = 0; cut < hello.length; cut++) expect(readHello(hello.subarray(0, cut))).toEqual({ complete: false });
    expect(readHello(hello).complete).toBe(true);
    // Whatever follows the ClientHello (early data, or a client that does not wait) is no concern of it.
    expect(readHello(Buffer.concat([hello, Buffer.from("more")]))).toEqual({ complete: true, servername: "api.example.com" });
  });

  it("reads a ClientHello spread over several records", async () => {
    const hello = await clientHello({ servername: "api.example.com" });
    for (const size of [1, 3, 50, 200]) {
      const records = reframe(hello, size);
      expect(readHello(records)).toEqual({ complete: true, servername: "api.example.com" });
      expect(readHello(records.subarray(0, records.length - 1))).toEqual({ complete: false });
    }
  });

  it("reads no name from what is not a ClientHello", () => {
    expect(readHello(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))).toEqual({ complete: true, servername: undefined });
    // A handshake record holding another handshake message, an empty record, an SSLv2-style hello.
    expect(readHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]))).toEqual({ complete: true, servername: undefined });
    expect(readHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00]))).toEqual({ complete: true, servername: undefined });
    expect(readHello(Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01]))).toEqual({ complete: true, servername: undefined });
  });

  it("reads no name from a server_name extension OpenSSL would refuse", async () => {
    const hello = await clientHello({ servername: "abc.example.com" });
    const at = hello.indexOf("abc.example.com");
    // The entry's name_type is not host_name.
    const otherType = Buffer.from(hello);
    otherType[at - 3] = 0x01;
    expect(readHello(otherType)).toEqual({ complete: true, servername: undefined });
    // A NUL inside the name.
    const nul = Buffer.from(hello);
    nul[at + 3] = 0x00;
    expect(readHello(nul)).toEqual({ complete: true, servername: undefined });
  });

  it("tells when the client offers ALPN acme-tls/1, as an ACME CA validating tls-alpn-01 does", async () => {
    const acme = await clientHello({ servername: "api.example.com", ALPNProtocols: ["acme-tls/1"] });
    expect(readHello(acme)).toEqual({ complete: true, servername: "api.example.com", acmeTls: true });
    expect(readHello(await clientHello({ servername: "api.example.com", ALPNProtocols: ["http/1.1", "acme-tls/1"] }))).toMatchObject({ acmeTls: true });
    expect(readHello(await clientHello({ servername: "api.example.com", ALPNProtocols: ["h2", "http/1.1"] }))).toEqual({ complete: true, servername: "api.example.com" });
    expect(readHello(await clientHello({ servername: "api.example.com", ALPNProtocols: ["acme-tls/2"] }))).toEqual({ complete: true, servername: "api.example.com" });
    for (let cut = 0; cut < acme.length; cut++) expect(readHello(acme.subarray(0, cut))).toEqual({ complete: false });
  });
});
