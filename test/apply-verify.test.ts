import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOf, verifyEnvironment, type VerifyFailure, type VerifyTarget } from "../src/verify/verify.js";
import { looksLikeKeyMaterial } from "../src/model/redact.js";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";

// Verification against real gateway processes: two nodes of one environment seeded identically through the
// admin API, then changed behind verification's back, one thing at a time (and put back afterwards).

let ca: Issued;
let apiCert: Issued;
let wildCert: Issued;
let fallbackCert: Issued;
let intruder: Issued;
let nodes: GatewayProcess[] = [];

const ENV = "dev";

const chain = (c: Issued) => toPem([c.certificate, ca.certificate]);
const ok = async (p: Promise<{ status: number; text: string }>, ...expected: number[]) => {
  const r = await p;
  expect(expected.length ? expected : [200, 201], r.text).toContain(r.status);
  return r;
};

async function seed(gw: GatewayProcess): Promise<void> {
  await ok(api(gw.admin, "PUT", "/v1/certificates/api", { chain: chain(apiCert), key: apiCert.keyPem }));
  await ok(api(gw.admin, "PUT", "/v1/certificates/wild", { chain: chain(wildCert), key: wildCert.keyPem }));
  await ok(api(gw.admin, "PUT", "/v1/certificates/fallback", { chain: chain(fallbackCert), key: fallbackCert.keyPem, default: true }));
  await ok(api(gw.admin, "PUT", "/v1/jwks/signing", { source: { certificate: "api" }, kid: "signing-1" }));
  await ok(api(gw.admin, "PUT", "/v1/trusted/backend-ca", { certificate: ca.pem }));
  await ok(api(gw.admin, "PUT", "/v1/endpoints/orders", { url: "https://127.0.0.1:9/orders", path: "/orders", labels: { "certform.dev/address": "endpoints.orders[dev]" } }));
  await ok(api(gw.admin, "PUT", "/v1/trust/orders-backend", { alias: "backend-ca", endpoint: "orders" }));
}

/** What the stack declared, with the fingerprints read back from the first node, as apply would. */
async function declared(gws: GatewayProcess[] = nodes): Promise<VerifyTarget> {
  const status = (await api(gws[0]!.admin, "GET", "/v1/status")).body;
  const fp = (name: string) => status.certificates.find((c: { name: string }) => c.name === name).fingerprint256 as string;
  return {
    environment: ENV,
    nodes: await Promise.all(gws.map(async (gw) => ({ admin: gw.admin, listen: listenOf((await api(gw.admin, "GET", "/v1/status")).body)! }))),
    certificates: [
      { address: "certificates.api[dev]", hosts: ["api.example.com"], fingerprint256: fp("api"), default: false },
      { address: "certificates.wild[dev]", hosts: ["*.example.com"], fingerprint256: fp("wild"), default: false },
      { address: "certificates.fallback[dev]", hosts: ["fallback.example.net", "127.0.0.1"], fingerprint256: fp("fallback"), default: true },
    ],
    jwks: [{ address: "jwks.signing[dev]", kid: "signing-1" }],
    endpoints: [{ address: "endpoints.orders[dev]", path: "/orders", trustedAliases: ["backend-ca"] }],
  };
}

/** Runs `body` with `change` made, then puts things back with `undo`. */
async function withChange<T>(change: () => Promise<unknown>, undo: () => Promise<unknown>, body: () => Promise<T>): Promise<T> {
  await change();
  try {
    return await body();
  } finally {
    await undo();
  }
}

const codes = (failures: VerifyFailure[]) => failures.map((f) => `${f.node} ${f.code} ${f.host ?? "-"} ${f.address}`);

beforeAll(async () => {
  ca = await makeCa();
  [apiCert, wildCert, fallbackCert, intruder] = await Promise.all([
    issue({ issuer: ca, hosts: ["api.example.com"] }),
    issue({ issuer: ca, hosts: ["*.example.com"] }),
    issue({ issuer: ca, hosts: ["fallback.example.net", "127.0.0.1"] }),
    issue({ issuer: ca, hosts: ["api.example.com", "*.example.com", "fallback.example.net", "other.example.org"] }),
  ]);
  nodes = await Promise.all([startGateway({ environment: ENV, node: "dev-1" }), startGateway({ environment: ENV, node: "dev-2" })]);
  await Promise.all(nodes.map(seed));
});
afterAll(async () => {
  await Promise.all(nodes.map((gw) => gw.stop()));
});

describe("the gateway's status", () => {
  it("shows the data plane's URL as listen", async () => {
    for (const gw of nodes) {
      const status = (await api(gw.admin, "GET", "/v1/status")).body;
      expect(status.listen).toBe(gw.listen);
      expect(listenOf(status)).toBe(gw.listen);
    }
    expect(listenOf({ node: "x" })).toBeUndefined();
  });
});

describe("verifyEnvironment against real gateway nodes", () => {
  it("finds nothing when every node serves what was declared", async () => {
    expect(await verifyEnvironment(await declared())).toEqual([]);
  });

  it("a host serving another certificate: wrong-certificate naming the node and the host, on that node only", async () => {
    const second = nodes[1]!;
    const target = await declared();
    // Written last, the intruder claims api.example.com on the second node only.
    const failures = await withChange(
      () => ok(api(second.admin, "PUT", "/v1/certificates/intruder", { chain: chain(intruder), key: intruder.keyPem, hosts: ["api.example.com"] })),
      () => ok(api(second.admin, "DELETE", "/v1/certificates/intruder")),
      () => verifyEnvironment(target),
    );
    expect(codes(failures)).toEqual([`${second.admin} wrong-certificate api.example.com certificates.api[dev]`]);
    const [f] = failures;
    expect(f!.environment).toBe(ENV);
    expect(f!.message).toContain(`environment dev, node ${second.admin}`);
    expect(f!.message).toContain("host api.example.com");
    expect(f!.message).toContain(`expected SHA-256 ${apiCert.certificate.fingerprint256}`);
    expect(f!.message).toContain(`served SHA-256 ${intruder.certificate.fingerprint256}`);
  });

  it("checks a wildcard host with a name only the wildcard covers", async () => {
    const first = nodes[0]!;
    const target = await declared();
    expect((await handshake(first.listenPort, "certform-verify.example.com")).fingerprint256).toBe(wildCert.certificate.fingerprint256);
    const failures = await withChange(
      () => ok(api(first.admin, "PUT", "/v1/certificates/intruder", { chain: chain(intruder), key: intruder.keyPem, hosts: ["*.example.com"] })),
      () => ok(api(first.admin, "DELETE", "/v1/certificates/intruder")),
      () => verifyEnvironment(target),
    );
    expect(codes(failures)).toEqual([`${first.admin} wrong-certificate *.example.com certificates.wild[dev]`]);
    expect(failures[0]!.message).toContain("checked as certform-verify.example.com");
  });

  it("checks the default certificate with a handshake without SNI", async () => {
    const first = nodes[0]!;
    const target = await declared();
    // Another default, written last, answers clients without SNI (and those connecting by address).
    const wrongDefault = await withChange(
      () => ok(api(first.admin, "PUT", "/v1/certificates/intruder", { chain: chain(intruder), key: intruder.keyPem, hosts: ["other.example.org"], default: true })),
      () => ok(api(first.admin, "DELETE", "/v1/certificates/intruder")),
      () => verifyEnvironment(target),
    );
    expect(codes(wrongDefault)).toEqual([`${first.admin} wrong-certificate 127.0.0.1 certificates.fallback[dev]`, `${first.admin} wrong-certificate - certificates.fallback[dev]`]);
    expect(wrongDefault[1]!.message).toContain("a handshake without SNI (the default certificate)");

    // No default at all: a client without SNI is refused.
    const noDefault = await withChange(
      () => ok(api(first.admin, "PUT", "/v1/certificates/fallback", { hosts: ["fallback.example.net", "127.0.0.1"], default: false })),
      () => ok(api(first.admin, "PUT", "/v1/certificates/fallback", { hosts: ["fallback.example.net", "127.0.0.1"], default: true })),
      () => verifyEnvironment(target),
    );
    expect(codes(noDefault)).toEqual([`${first.admin} handshake-failed 127.0.0.1 certificates.fallback[dev]`, `${first.admin} handshake-failed - certificates.fallback[dev]`]);
    expect(noDefault[1]!.message).toMatch(/the TLS handshake with 127\.0\.0\.1:\d+ failed: .*expected certificate SHA-256/);
    expect(await verifyEnvironment(target)).toEqual([]);
  });

  it("an address host is checked without SNI: a certificate that is not the default does not serve it", async () => {
    const target = await declared([nodes[0]!]);
    target.certificates.push({ address: "certificates.by-ip[dev]", hosts: ["127.0.0.2"], fingerprint256: apiCert.certificate.fingerprint256, default: false });
    const failures = await verifyEnvironment(target);
    expect(codes(failures)).toEqual([`${nodes[0]!.admin} wrong-certificate 127.0.0.2 certificates.by-ip[dev]`]);
    expect(failures[0]!.message).toContain("clients connecting by address send no SNI and get the default certificate");
  });

  it("a kid the JWKS does not hold: jwk-missing", async () => {
    const target = await declared();
    target.jwks.push({ address: "jwks.encryption[dev]", kid: "enc-1" });
    const failures = await verifyEnvironment(target);
    expect(codes(failures)).toEqual(nodes.map((gw) => `${gw.admin} jwk-missing - jwks.encryption[dev]`));
    expect(failures[0]!.message).toContain('does not hold kid "enc-1"');
    expect(failures[0]!.message).toContain('"signing-1"');
  });

  it("an endpoint whose trust differs: trust-missing and trust-unexpected, read through the admin API", async () => {
    const target = await declared();
    target.endpoints = [{ address: "endpoints.orders[dev]", path: "/orders", trustedAliases: ["partner-ca"] }];
    const failures = await verifyEnvironment(target);
    expect(codes(failures)).toEqual(nodes.flatMap((gw) => [`${gw.admin} trust-missing - endpoints.orders[dev]`, `${gw.admin} trust-unexpected - endpoints.orders[dev]`]));
    expect(failures[0]!.message).toContain('does not trust "partner-ca"; it trusts "backend-ca"');

    // The trust removed on the second node only.
    const second = nodes[1]!;
    const removed = await withChange(
      () => ok(api(second.admin, "DELETE", "/v1/trust/orders-backend")),
      () => ok(api(second.admin, "PUT", "/v1/trust/orders-backend", { alias: "backend-ca", endpoint: "orders" })),
      async () => verifyEnvironment(await declared()),
    );
    expect(codes(removed)).toEqual([`${second.admin} trust-missing - endpoints.orders[dev]`]);
    expect(removed[0]!.message).toContain("it trusts nothing");
  });

  it("reads endpoints through an injected reader (a provider with a token), and says when it cannot", async () => {
    const target = await declared();
    const asked: string[] = [];
    const failures = await verifyEnvironment(target, {
      readEndpoints: async (admin) => {
        asked.push(admin);
        if (admin === nodes[1]!.admin) throw new Error("node unreachable (ECONNREFUSED)");
        return [{ name: "orders", trustedAliases: ["backend-ca"] }];
      },
    });
    expect(asked.sort()).toEqual(nodes.map((gw) => gw.admin).sort());
    expect(codes(failures)).toEqual([`${nodes[1]!.admin} endpoints-unreadable - endpoints.orders[dev]`]);
    expect(failures[0]!.message).toContain("ECONNREFUSED");
  });

  it("a node that serves nothing, then a node that is down: failures name that node and every declared host", async () => {
    const empty = await startGateway({ environment: ENV, node: "dev-3" });
    try {
      const target = await declared([nodes[0]!, empty]);
      const failures = await verifyEnvironment(target);
      expect(failures.every((f) => f.node === empty.admin && f.environment === ENV)).toBe(true);
      expect(codes(failures)).toEqual([
        `${empty.admin} handshake-failed api.example.com certificates.api[dev]`,
        `${empty.admin} handshake-failed *.example.com certificates.wild[dev]`,
        `${empty.admin} handshake-failed fallback.example.net certificates.fallback[dev]`,
        `${empty.admin} handshake-failed 127.0.0.1 certificates.fallback[dev]`,
        `${empty.admin} handshake-failed - certificates.fallback[dev]`,
        `${empty.admin} jwks-unreadable - jwks.signing[dev]`,
        `${empty.admin} endpoint-missing - endpoints.orders[dev]`,
      ]);

      await empty.stop();
      const down = await verifyEnvironment(target, { timeoutMs: 2000 });
      expect(down.filter((f) => f.code === "handshake-failed")).toHaveLength(5);
      expect(down.find((f) => f.host === "api.example.com")!.message).toContain("connection refused (ECONNREFUSED)");
      expect(down.map((f) => f.code)).toContain("endpoints-unreadable");
    } finally {
      await empty.stop();
    }
  });

  it("gives up on a listener that never answers after the per-check timeout, with bounded concurrency", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const target = await declared([nodes[0]!]);
      target.nodes.push({ admin: "http://127.0.0.1:1", listen: `https://127.0.0.1:${(silent.address() as AddressInfo).port}` });
      target.endpoints = [];
      target.jwks = [];
      const started = Date.now();
      const failures = await verifyEnvironment(target, { timeoutMs: 300, concurrency: 2 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(codes(failures)).toHaveLength(5);
      expect(failures.every((f) => f.node === "http://127.0.0.1:1" && f.code === "handshake-failed")).toBe(true);
      expect(failures[0]!.message).toContain("no TLS handshake within 300 ms");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it("never returns key material", async () => {
    const target = await declared();
    target.jwks.push({ address: "jwks.x[dev]", kid: "x" });
    target.endpoints[0]!.trustedAliases = [];
    const text = JSON.stringify(await verifyEnvironment(target));
    expect(looksLikeKeyMaterial(text)).toBe(false);
    for (const c of [apiCert, wildCert, fallbackCert]) expect(text).not.toContain(c.keyPem.split("\n")[1]!);
  });
});
