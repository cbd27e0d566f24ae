import { afterAll, describe, expect, it } from "vitest";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem } from "./support/pki.js";

let gw: GatewayProcess | undefined;
afterAll(() => gw?.stop());

describe("the store survives kill -9", () => {
  it("keeps every acknowledged write, and serves what it served before", async () => {
    const ca = await makeCa();
    const certs = await Promise.all(Array.from({ length: 4 }, (_, i) => issue({ issuer: ca, hosts: [`h${i}.example.com`] })));
    gw = await startGateway();
    const admin = gw.admin;
    for (const [i, c] of certs.entries()) {
      expect((await api(admin, "PUT", `/v1/certificates/c${i}`, { chain: toPem([c.certificate, ca.certificate]), key: c.keyPem })).status).toBe(201);
    }

    // Several writers, each recording what the node acknowledged, until the node is killed mid-stream.
    const acknowledged = new Map<string, string>();
    let writes = 0;
    const writer = async (w: number) => {
      for (let i = 0; ; i++) {
        const name = `e${w}-${i % 25}`;
        const url = `https://backend-${w}-${i}.internal:9443`;
        try {
          const r = await api(admin, "PUT", `/v1/endpoints/${name}`, { url, path: `/${name}` });
          if (r.status !== 200 && r.status !== 201) throw new Error(`unexpected ${r.status}`);
          acknowledged.set(name, url);
          writes++;
        } catch {
          return; // the node is gone
        }
      }
    };
    const writers = [writer(0), writer(1), writer(2), writer(3)];
    while (writes < 150) await new Promise((r) => setTimeout(r, 5));
    await gw.kill9();
    await Promise.all(writers);

    gw = await startGateway({ dataDir: gw.dataDir });
    const endpoints = (await api(gw.admin, "GET", "/v1/endpoints")).body.items as { name: string; url: string }[];
    const stored = new Map(endpoints.map((e) => [e.name, e.url]));
    // Every acknowledged write is there; a write in flight at the kill may have landed too, but only whole.
    for (const [name, url] of acknowledged) {
      const have = stored.get(name);
      expect(have, name).toBeDefined();
      if (have !== url) {
        const [w, i] = [Number(name.split("-")[0]!.slice(1)), Number(name.split("-")[1])];
        expect(have, name).toMatch(new RegExp(`^https://backend-${w}-\\d+\\.internal:9443$`));
        expect(Number(/backend-\d+-(\d+)/.exec(have!)![1]) % 25).toBe(i);
      }
    }
    for (const [i, c] of certs.entries()) {
      expect((await handshake(gw.listenPort, `h${i}.example.com`)).fingerprint256).toBe(c.certificate.fingerprint256);
    }
  });
});
