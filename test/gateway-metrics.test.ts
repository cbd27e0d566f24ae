import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { daysFromNow, issue, makeCa, type Issued } from "./support/pki.js";
import { parsePrometheusText, type Family } from "./support/prometheus-text.js";

// Issue 18, gateway metrics: GET /metrics on a real gateway process's admin address, behind its token,
// read with a strict parser of the Prometheus text format, values checked against what was stored.

const TOKEN = "metrics-test-token";
const auth = { authorization: `Bearer ${TOKEN}` };
// Label values that need escaping: quotes, a backslash.
const NODE = 'edge "1" \\ west';
let gw: GatewayProcess;
let api1: Issued;
let foreign: Issued;
let ca: Issued;

const stackLabels = (address: string) => ({ "certform.dev/stack": "shop", "certform.dev/address": address });

async function scrape(): Promise<Map<string, Family>> {
  const r = await api(gw.admin, "GET", "/metrics", undefined, auth);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(r.text);
}

const value = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) => {
  const family = families.get(name);
  if (!family) throw new Error(`no family ${name}`);
  const found = family.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]!.value;
};
const seconds = (c: Issued) => Math.floor(Date.parse(c.certificate.validTo) / 1000);

beforeAll(async () => {
  gw = await startGateway({ token: TOKEN, environment: "prod", node: NODE });
  [api1, foreign, ca] = await Promise.all([
    issue({ hosts: ["api.shop.example.com"], notAfter: daysFromNow(12) }),
    issue({ hosts: ["legacy.example.com"], notAfter: daysFromNow(200) }),
    makeCa({ subject: "CN=Billing CA" }),
  ]);
});
afterAll(async () => {
  await gw?.stop();
});

describe("GET /metrics", () => {
  let changedAt: number;

  it("is behind the admin token", async () => {
    expect((await api(gw.admin, "GET", "/metrics")).status).toBe(401);
    expect((await api(gw.admin, "GET", "/metrics", undefined, { authorization: "Bearer wrong" })).status).toBe(401);
  });

  it("parses as Prometheus text and holds every certificate's notAfter, the revision, the counts and the last change", async () => {
    const empty = await scrape();
    expect(value(empty, "certform_gateway_revision")).toBe(0);
    // No change yet: the family is there, without a sample.
    expect(empty.get("certform_gateway_last_change_timestamp_seconds")!.samples).toEqual([]);

    const start = Date.now();
    const puts = [
      api(gw.admin, "PUT", "/v1/certificates/api-1", { chain: api1.pem, key: api1.keyPem, labels: stackLabels("certificates.api[prod]") }, auth),
      api(gw.admin, "PUT", "/v1/certificates/legacy", { chain: foreign.pem, key: foreign.keyPem }, auth),
      api(gw.admin, "PUT", "/v1/trusted/billing.ca", { certificate: ca.pem, labels: stackLabels("trustedCertificates.billing-ca[prod]") }, auth),
      api(gw.admin, "PUT", "/v1/endpoints/billing", { url: "https://127.0.0.1:9", path: "/billing" }, auth),
    ];
    for (const put of puts) expect((await put).status).toBe(201);
    const end = Date.now();

    const m = await scrape();
    const status = (await api(gw.admin, "GET", "/v1/status", undefined, auth)).body;
    expect(value(m, "certform_gateway_revision")).toBe(status.revision);
    expect(status.revision).toBe(4);
    expect(m.get("certform_gateway_revision")!.type).toBe("gauge");
    changedAt = value(m, "certform_gateway_last_change_timestamp_seconds");
    expect(changedAt * 1000).toBeGreaterThanOrEqual(start);
    expect(changedAt * 1000).toBeLessThanOrEqual(end);

    expect(value(m, "certform_gateway_info", { node: NODE, environment: "prod" })).toBe(1);
    const objects = Object.fromEntries(m.get("certform_gateway_objects")!.samples.map((s) => [s.labels.collection, s.value]));
    expect(objects).toEqual({ certificates: 2, trusted: 1, endpoints: 1, trust: 0, jwks: 0 });

    const notAfter = m.get("certform_certificate_not_after_seconds")!;
    expect(notAfter.type).toBe("gauge");
    expect(notAfter.samples).toEqual([
      { name: notAfter.name, labels: { kind: "certificates", name: "api", alias: "api-1" }, value: seconds(api1) },
      { name: notAfter.name, labels: { kind: "certificates", name: "legacy", alias: "legacy" }, value: seconds(foreign) },
      { name: notAfter.name, labels: { kind: "trustedCertificates", name: "billing-ca", alias: "billing.ca" }, value: seconds(ca) },
    ]);
    expect(value(m, "certform_certificate_days_left", { alias: "api-1" })).toBe(Math.floor((Date.parse(api1.certificate.validTo) - Date.now()) / 86_400_000));
  });

  it("keeps the time of the last change across the lock and a kill and restart, and moves it with the next change", async () => {
    expect((await api(gw.admin, "POST", "/v1/lock", { holder: "metrics-test", purpose: "test", ttlSeconds: 60 }, auth)).status).toBeLessThan(300);
    const locked = await scrape();
    expect(value(locked, "certform_gateway_lock_held")).toBe(1);
    expect(value(locked, "certform_gateway_last_change_timestamp_seconds")).toBe(changedAt);
    expect((await api(gw.admin, "DELETE", "/v1/lock", { holder: "metrics-test" }, auth)).status).toBeLessThan(300);

    // Killed: the restarted node reads the time back from its journal, not from a snapshot written at exit.
    await gw.kill9();
    gw = await startGateway({ token: TOKEN, environment: "prod", node: NODE, dataDir: gw.dataDir });
    const restarted = await scrape();
    expect(value(restarted, "certform_gateway_last_change_timestamp_seconds")).toBe(changedAt);
    expect(value(restarted, "certform_gateway_revision")).toBe(4);
    expect(value(restarted, "certform_certificate_not_after_seconds", { alias: "billing.ca" })).toBe(seconds(ca));

    const before = Date.now();
    expect((await api(gw.admin, "DELETE", "/v1/certificates/legacy", undefined, auth)).status).toBeLessThan(300);
    const after = await scrape();
    expect(value(after, "certform_gateway_revision")).toBe(5);
    expect(value(after, "certform_gateway_last_change_timestamp_seconds") * 1000).toBeGreaterThanOrEqual(before);
    expect(after.get("certform_certificate_not_after_seconds")!.samples.map((s) => s.labels.alias)).toEqual(["api-1", "billing.ca"]);
    expect(value(after, "certform_gateway_objects", { collection: "certificates" })).toBe(1);
  });
});

describe("the strict parser", () => {
  it("refuses what the format does not allow", () => {
    const bad = [
      'x{a="1"} 1', // no trailing line feed
      "# TYPE x gauge\nx{a=\"b\\q\"} 1\n", // bad escape
      "# TYPE x gauge\nx 1\nx 2\n", // duplicate series
      "# TYPE x gauge\nx one\n", // bad value
      "# TYPE x gauge\ny 1\n", // sample outside its family
      "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\n# HELP x again\n", // family not contiguous
    ];
    for (const text of bad) expect(() => parsePrometheusText(text), text).toThrow();
    expect(parsePrometheusText('# HELP x h\n# TYPE x gauge\nx{a="q\\"\\\\\\n"} 1.5e3\n').get("x")!.samples[0]).toEqual({ name: "x", labels: { a: 'q"\\\n' }, value: 1500 });
  });
});
