import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerFailure as failure } from "./support/capture.js";
import { providerFor, ProviderError, type AttemptInfo, type Operation, type Provider, type ProviderOptions } from "../src/providers/index.js";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { leaf, makeCa, makePki, tempDir, writeFiles, type Issued, type Pki } from "./support/pki.js";

// The embedded provider against real gateway processes: what plan and apply rely on.

const TOKEN = "providers-test-token";
let gw: GatewayProcess;
let tlsGw: GatewayProcess;
let tlsDir: string;
let pki: Pki;
let ca: Issued;
let adminCa: Issued;
const providers: Provider[] = [];

function embedded(settings: { token?: string; caFile?: string } = { token: TOKEN }, opts: ProviderOptions = {}): Provider {
  const p = providerFor({ type: "embedded", nodes: [], timeout: "5s", ...settings }, { retries: 0, ...opts });
  providers.push(p);
  return p;
}

const statusRevision = async (): Promise<number> => (await api(gw.admin, "GET", "/v1/status", undefined, { authorization: `Bearer ${TOKEN}` })).body.revision;

/** Everything an error could show a user: message, hint and details. */
const shown = (err: ProviderError): string => JSON.stringify({ message: err.message, hint: err.hint, details: err.details, code: err.code });

beforeAll(async () => {
  [pki, ca, adminCa] = await Promise.all([makePki({ hosts: ["api.example.com"] }), makeCa(), makeCa({ subject: "CN=certform admin CA" })]);
  const adminLeaf = await leaf({ hosts: ["127.0.0.1"], issuer: adminCa });
  tlsDir = await tempDir("certform-provider-tls-");
  const files = await writeFiles(tlsDir, { "admin.pem": adminLeaf.pem, "admin.key": adminLeaf.keyPem, "admin-ca.pem": adminCa.pem });
  [gw, tlsGw] = await Promise.all([startGateway({ token: TOKEN }), startGateway({ extraArgs: ["--admin-cert", files["admin.pem"], "--admin-key", files["admin.key"]] })]);
});
afterAll(async () => {
  for (const p of providers) p.close?.();
  await Promise.all([gw?.stop(), tlsGw?.stop()]);
});

describe("embedded provider: read and apply", () => {
  it("reads an empty node at revision 0, with its identity and no lock", async () => {
    const live = await embedded().read(gw.admin);
    expect(live).toEqual({ node: gw.admin, revision: 0, objects: [], requests: [], identity: { node: "node-1", environment: "test" }, lock: null, listen: gw.listen });
  });

  it("applies a batch of puts atomically and reads them back with labels and without key material", async () => {
    const p = embedded();
    const labels = (address: string) => ({ "certform.dev/stack": "payments", "certform.dev/address": address });
    const ops: Operation[] = [
      { op: "put", collection: "certificates", name: "api", body: { chain: pki.chainPem, key: pki.leaf.keyPem, labels: labels("certificates.api[test]") } },
      { op: "put", collection: "trusted", name: "billing-ca", body: { certificate: ca.pem, labels: labels("trustedCertificates.billing-ca[test]") } },
      { op: "put", collection: "endpoints", name: "billing", body: { url: "https://billing.internal:9443", path: "/billing", labels: labels("endpoints.billing[test]") } },
      { op: "put", collection: "trust", name: "billing-backend", body: { alias: "billing-ca", endpoint: "billing", labels: labels("trustAssignments.billing-backend[test]") } },
      { op: "put", collection: "jwks", name: "api-signing", body: { source: { certificate: "api" }, use: "sig", labels: labels("jwks.api-signing[test]") } },
    ];
    const { revision } = await p.apply(gw.admin, ops);
    expect(revision).toBe(1);

    const live = await p.read(gw.admin);
    expect(live.revision).toBe(1);
    const byName = new Map(live.objects.map((o) => [`${o.collection}/${o.name}`, o]));
    expect([...byName.keys()].sort()).toEqual(["certificates/api", "endpoints/billing", "jwks/api-signing", "trust/billing-backend", "trusted/billing-ca"]);
    for (const o of live.objects) {
      expect(o.labels["certform.dev/stack"]).toBe("payments");
      expect(o.updatedRevision).toBe(1);
      // Identity and bookkeeping have their own places; fields are content only.
      expect(Object.keys(o.fields)).not.toContain("labels");
      expect(Object.keys(o.fields)).not.toContain("updatedRevision");
      expect(Object.keys(o.fields)).not.toContain("name");
    }
    const cert = byName.get("certificates/api")!;
    expect(cert.fields).toMatchObject({ hosts: ["api.example.com"], fingerprint256: pki.leaf.certificate.fingerprint256, generated: false, default: false });
    expect(cert.fields.keyFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert.fields.chain).toContain("BEGIN CERTIFICATE");
    expect(cert.fields).not.toHaveProperty("key");
    const trusted = byName.get("trusted/billing-ca")!;
    expect(trusted.fields).not.toHaveProperty("alias");
    expect(trusted.fields.fingerprint256).toBe(ca.certificate.fingerprint256);
    expect(byName.get("trust/billing-backend")!.fields).toEqual({ alias: "billing-ca", endpoint: "billing" });
    expect(byName.get("endpoints/billing")!.fields).toEqual({ url: "https://billing.internal:9443", path: "/billing", trustedAliases: ["billing-ca"] });
    expect(byName.get("jwks/api-signing")!.fields).toMatchObject({ use: "sig", source: { certificate: "api" } });

    const text = JSON.stringify(live);
    expect(text).not.toContain("PRIVATE KEY");
    expect(keyEchoes(text, secretOf(pki.leaf.key))).toEqual([]);
  });

  it("refuses a write at a stale revision with code 'stale', and applies at the current one", async () => {
    const p = embedded();
    const before = await statusRevision();
    const put: Operation = { op: "put", collection: "endpoints", name: "orders", body: { url: "http://orders.internal", path: "/orders" } };
    const err = await failure(() => p.apply(gw.admin, [put], { ifRevision: before - 1 }));
    expect(err).toMatchObject({ code: "stale", status: 412, node: gw.admin });
    expect(err.details).toMatchObject({ revision: before, expected: before - 1 });
    expect(await statusRevision()).toBe(before);
    // An empty apply still checks the revision: a stale plan with nothing to do is stale all the same.
    expect((await failure(() => p.apply(gw.admin, [], { ifRevision: before - 1 }))).code).toBe("stale");
    expect(await p.apply(gw.admin, [], { ifRevision: before })).toEqual({ revision: before });
    expect(await p.apply(gw.admin, [put], { ifRevision: before })).toEqual({ revision: before + 1 });
  });

  it("names the failing operation of a batch by its index, changes nothing, and never echoes a key", async () => {
    const p = embedded();
    const other = await leaf({ hosts: ["api.example.com"] });
    const before = await statusRevision();
    const ops: Operation[] = [
      { op: "put", collection: "endpoints", name: "never", body: { url: "http://never.internal", path: "/never" } },
      { op: "put", collection: "certificates", name: "mismatched", body: { chain: pki.chainPem, key: other.keyPem } },
    ];
    const err = await failure(() => p.apply(gw.admin, ops));
    expect(err).toMatchObject({ code: "key-mismatch", status: 422 });
    expect(err.details).toMatchObject({ index: 1, operation: { index: 1, op: "put", collection: "certificates", name: "mismatched" } });
    expect(err.message).toContain("operation 1 (put certificates/mismatched)");
    expect(shown(err)).not.toContain("PRIVATE KEY");
    expect(keyEchoes(shown(err), secretOf(other.key))).toEqual([]);
    expect(await statusRevision()).toBe(before);
    expect((await p.read(gw.admin)).objects.some((o) => o.name === "never")).toBe(false);
  });

  it("does not retry a 4xx", async () => {
    const attempts: AttemptInfo[] = [];
    const p = embedded({ token: TOKEN }, { retries: 5, backoff: { baseMs: 1 }, onAttempt: (a) => attempts.push(a) });
    const err = await failure(() => p.apply(gw.admin, [{ op: "put", collection: "trust", name: "dangling", body: { alias: "no-such-alias", scope: "environment" } }]));
    expect(err).toMatchObject({ code: "reference-missing", status: 422 });
    expect(err.details).toMatchObject({ index: 0, attempts: 1 });
    expect(attempts).toEqual([{ node: gw.admin, method: "POST", path: "/v1/batch", attempt: 1 }]);
  });
});

describe("embedded provider: locks", () => {
  it("refuses writes without the holder while locked, naming the holder; the holder writes; unlock frees it", async () => {
    const p = embedded();
    const lock = await p.lock(gw.admin, "alice@ci-123", "apply payments", 60);
    expect(lock).toMatchObject({ holder: "alice@ci-123", purpose: "apply payments" });
    expect((await p.read(gw.admin)).lock).toMatchObject({ holder: "alice@ci-123" });

    const put: Operation = { op: "put", collection: "endpoints", name: "locked-out", body: { url: "http://x.internal", path: "/x" } };
    const err = await failure(() => p.apply(gw.admin, [put]));
    expect(err).toMatchObject({ code: "locked", status: 423 });
    expect(err.details).toMatchObject({ holder: "alice@ci-123", since: lock.since, purpose: "apply payments" });
    expect((await failure(() => p.lock(gw.admin, "bob", "apply", 60))).details).toMatchObject({ holder: "alice@ci-123" });
    // Someone else's lock is not released by unlock.
    expect((await failure(() => p.unlock(gw.admin, "bob"))).code).toBe("locked");

    await p.apply(gw.admin, [put], { lockHolder: "alice@ci-123" });
    await p.unlock(gw.admin, "alice@ci-123");
    // Releasing again (a retried release, an expired lease) is not an error.
    await p.unlock(gw.admin, "alice@ci-123");
    expect((await p.read(gw.admin)).lock).toBeNull();
    await p.apply(gw.admin, [{ op: "delete", collection: "endpoints", name: "locked-out" }]);
  });

  it("force-unlocks a lock left by a killed apply, and reports when there was none", async () => {
    const p = embedded();
    const left = await p.lock(gw.admin, "killed-apply", "apply payments", 3600);
    expect(await p.forceUnlock(gw.admin)).toEqual(left);
    expect(await p.forceUnlock(gw.admin)).toBeUndefined();
    await p.apply(gw.admin, [{ op: "delete", collection: "endpoints", name: "orders" }]);
  });
});

describe("embedded provider: authentication and HTTPS", () => {
  it("fails with 'unauthorized' without the token or with a wrong one, naming the variable, and does not retry", async () => {
    const attempts: AttemptInfo[] = [];
    const none = await failure(() => embedded({}, { retries: 3, tokenVariable: "CERTFORM_TEST_TOKEN", onAttempt: (a) => attempts.push(a) }).read(gw.admin));
    expect(none).toMatchObject({ code: "unauthorized", status: 401 });
    expect(none.message).toContain("no token was sent");
    expect(none.hint).toContain("${env:CERTFORM_TEST_TOKEN}");
    expect(attempts).toHaveLength(1);

    const wrong = await failure(() => embedded({ token: "not-the-token" }, { tokenVariable: "CERTFORM_TEST_TOKEN" }).lock(gw.admin, "x", "y", 10));
    expect(wrong).toMatchObject({ code: "unauthorized", status: 401 });
    expect(wrong.hint).toContain("CERTFORM_TEST_TOKEN");
    expect(shown(wrong)).not.toContain("not-the-token");
  });

  it("reads an HTTPS admin API signed by the stack's CA (caFile, relative to baseDir), and refuses an untrusted one", async () => {
    const live = await embedded({ caFile: "admin-ca.pem" }, { baseDir: tlsDir }).read(tlsGw.admin);
    expect(tlsGw.admin).toMatch(/^https:/);
    expect(live.revision).toBe(0);

    const attempts: AttemptInfo[] = [];
    const err = await failure(() => embedded({}, { retries: 3, onAttempt: (a) => attempts.push(a) }).read(tlsGw.admin));
    expect(err.code).toBe("tls-untrusted");
    expect(err.hint).toContain("caFile");
    expect(attempts).toHaveLength(1);
  });

  it("refuses a node that is not an http(s) URL", async () => {
    expect((await failure(() => embedded().read("ftp://127.0.0.1:21"))).code).toBe("invalid-node");
    expect(() => embedded({ caFile: join(tlsDir, "missing.pem") })).toThrow(/caFile .*missing\.pem: cannot read it/);
  });
});
