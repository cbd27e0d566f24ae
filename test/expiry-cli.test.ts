import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExpiryReportSchema, type ExpiryReport } from "../src/model/expiry-report.js";
import { ListReportSchema } from "../src/model/list-report.js";
import { certform } from "./support/cli.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { daysAgo, daysFromNow, issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { positionOf, writeStackDir } from "./support/stack.js";

// `certform expiry` and `certform list` against two real gateway processes of one environment: certificates
// that expire in 3, 20 and 200 days, a CA in the truststore, and one certificate that no stack declared,
// written to one node straight through its admin API (it expires first, and must not go unnoticed).

let ca: Issued;
let soon: Issued;
let mid: Issued;
let far: Issued;
let nodes: GatewayProcess[] = [];
let dir: string;

const at = (days: number) => ({ notBefore: daysAgo(30), notAfter: daysFromNow(days + 0.5) });

function stackYaml(alerts: string): string {
  return `apiVersion: certform/v1
kind: Stack
name: payments
environments:
  prod:
    gateway: { type: embedded, nodes: [${nodes.map((g) => JSON.stringify(g.admin)).join(", ")}] }
certificates:
  mid:
    certificate: { file: mid.pem }
    key: { file: mid.key }
  far:
    certificate: { file: far.pem }
    key: { file: far.key }
trustedCertificates:
  partner-ca:
    alias: partners
    certificate: { file: ca.pem }
endpoints:
  billing:
    url: "https://127.0.0.1:9/billing"
trustAssignments:
  billing-backend: { certificate: partner-ca, endpoint: billing }
jwks:
  partner-signing: { certificate: partner-ca, use: sig }
alerts: ${alerts}
`;
}

const writeStack = (alerts: string) => writeFileSync(join(dir, "stack.yaml"), stackYaml(alerts));

beforeAll(async () => {
  ca = await makeCa();
  [soon, mid, far] = await Promise.all([
    issue({ issuer: ca, hosts: ["legacy.example.com"], ...at(3) }),
    issue({ issuer: ca, hosts: ["mid.example.com"], ...at(20) }),
    issue({ issuer: ca, hosts: ["far.example.com"], ...at(200) }),
  ]);
  nodes = await Promise.all([startGateway({ environment: "prod", node: "a" }), startGateway({ environment: "prod", node: "b" })]);
  dir = writeStackDir({ "mid.pem": toPem([mid.certificate, ca.certificate]), "mid.key": mid.keyPem, "far.pem": toPem([far.certificate, ca.certificate]), "far.key": far.keyPem, "ca.pem": ca.pem });
  writeStack("{ warnBefore: 30d, criticalBefore: 7d }");
  const applied = await certform(["apply", dir, "--auto-approve"]);
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
  // Nobody declared it: written to node a only, as someone did by hand.
  const put = await api(nodes[0]!.admin, "PUT", "/v1/certificates/legacy", { chain: toPem([soon.certificate, ca.certificate]), key: soon.keyPem });
  expect(put.status, put.text).toBeLessThan(300);
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

const json = (stdout: string): ExpiryReport => ExpiryReportSchema.parse(JSON.parse(stdout));

describe("certform expiry", () => {
  it("lists every certificate of every node, owned or not, most urgent first, and exits 2 when any is inside warnBefore", async () => {
    const r = await certform(["expiry", dir, "--format", "json"]);
    expect(r.code, r.stderr).toBe(2);
    const report = json(r.stdout);
    const rows = report.certificates.map((c) => [c.kind, c.name, c.alias, c.daysLeft, c.status, c.owner, c.nodes.length]);
    expect(rows).toEqual([
      ["certificates", "legacy", null, 3, "Critical", null, 1],
      ["certificates", "mid", null, 20, "Warning", "payments", 2],
      ["certificates", "far", null, 200, "Active", "payments", 2],
      ["trustedCertificates", "partner-ca", "partners", expect.any(Number), "Active", "payments", 2],
    ]);
    const legacy = report.certificates[0]!;
    expect(legacy).toMatchObject({ environment: "prod", node: nodes[0]!.admin, hosts: ["legacy.example.com"], address: null, fingerprint256: soon.certificate.fingerprint256 });
    expect(legacy.notAfter).toBe(new Date(soon.certificate.validTo).toISOString());
    expect(report.certificates[1]).toMatchObject({ address: "certificates.mid[prod]", node: `${nodes[0]!.admin}, ${nodes[1]!.admin}`, hosts: ["mid.example.com"] });
    expect(report).toMatchObject({ within: "30d", filtered: false, inside: 2, problems: [] });
  });

  it("--within lists only what expires inside it (exit 2), or nothing (exit 0)", async () => {
    const [ten, one, bad] = await Promise.all([
      certform(["expiry", dir, "--within", "10d", "--format", "json"]),
      certform(["expiry", dir, "--within", "1d", "--format", "json"]),
      certform(["expiry", dir, "--within", "soon"]),
    ]);
    expect(ten.code).toBe(2);
    expect(json(ten.stdout).certificates.map((c) => c.name)).toEqual(["legacy"]);
    expect(one.code).toBe(0);
    expect(json(one.stdout)).toMatchObject({ certificates: [], inside: 0 });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--within soon: a duration/);
  });

  it("text: a table in order of urgency, with the count inside the window", async () => {
    const r = await certform(["expiry", dir, "--within", "30d"]);
    expect(r.code).toBe(2);
    const lines = r.stdout.split("\n");
    const header = lines.findIndex((l) => l.startsWith("STATUS"));
    expect(header).toBeGreaterThan(0);
    expect(lines.slice(header + 1, header + 3).map((l) => l.split(/\s+/).slice(0, 6))).toEqual([
      ["Critical", "3", expect.stringMatching(/^\d{4}-\d\d-\d\d$/), "prod", "certificate", "legacy"],
      ["Warning", "20", expect.stringMatching(/^\d{4}-\d\d-\d\d$/), "prod", "certificate", "mid"],
    ]);
    expect(r.stdout).toContain("(foreign)");
    expect(r.stdout).toMatch(/2 certificates; 2 expire within 30d: 1 Critical, 1 Warning\./);
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("markdown: a table and a Mermaid gantt chart of the validity windows", async () => {
    const r = await certform(["expiry", dir, "--format", "markdown"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^### ⚠️ certform expiry: `payments`/);
    expect(r.stdout).toContain("| status | days left | not after | environment | kind | name | alias | hosts | owner | nodes |");
    const table = r.stdout.split("\n").filter((l) => /^\| (⛔|🔴|🟡|⏳|🟢)/.test(l));
    expect(table.map((l) => l.split("|")[1]!.trim())).toEqual(["🔴 Critical", "🟡 Warning", "🟢 Active", "🟢 Active"]);
    const chart = /```mermaid\n([\s\S]*?)```/.exec(r.stdout)?.[1] ?? "";
    expect(chart).toMatch(/^gantt\n/);
    expect(chart).toContain("dateFormat YYYY-MM-DD");
    expect(chart).toContain("section prod");
    expect(chart).toMatch(new RegExp(`legacy certificate :crit, c0, \\d{4}-\\d\\d-\\d\\d, ${new Date(soon.certificate.validTo).toISOString().slice(0, 10)}`));
    expect(chart).toMatch(/mid certificate :active, c1, /);
    expect(chart).toMatch(/partner-ca \(partners\) trusted :c3, /);
  });

  it("--notify posts the JSON report, with a Slack-compatible text, to a webhook", async () => {
    const received: { method: string; type: string | undefined; body: any }[] = [];
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        received.push({ method: req.method!, type: req.headers["content-type"], body: JSON.parse(body) });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/expiry`;
      const r = await certform(["expiry", dir, "--within", "30d", "--notify", url]);
      expect(r.code, r.stderr).toBe(2);
      expect(received).toHaveLength(1);
      const [post] = received;
      expect(post!.method).toBe("POST");
      expect(post!.type).toMatch(/application\/json/);
      expect(ExpiryReportSchema.parse(post!.body).certificates.map((c) => c.name)).toEqual(["legacy", "mid"]);
      expect(post!.body.text).toMatch(/^certform expiry, stack payments: 2 certificates; 2 expire within 30d: 1 Critical, 1 Warning\.\n/);
      expect(post!.body.text).toContain("• Critical: certificate legacy in prod expires on");
      expect(post!.body.text).toContain("not owned by any stack");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // A webhook that cannot be reached is an error: the alert was not delivered.
    const closed = await certform(["expiry", dir, "--within", "1d", "--notify", "http://127.0.0.1:9/hook"]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/the webhook at 127\.0\.0\.1:9 could not be reached/);
  });

  it("a node that cannot be read is an error (exit 1), and the others are still listed", async () => {
    const down = writeStackDir({ "stack.yaml": stackYaml("{ warnBefore: 30d }").replace(/nodes: \[[^\]]*\]/, `nodes: [${JSON.stringify(nodes[1]!.admin)}, "http://127.0.0.1:9"]`), "mid.pem": "", "far.pem": "", "ca.pem": ca.pem });
    const r = await certform(["expiry", down, "--format", "json"]);
    expect(r.code, r.stdout).toBe(1);
    const report = json(r.stdout);
    expect(report.problems.map((p) => p.node)).toEqual(["http://127.0.0.1:9"]);
    expect(report.certificates.map((c) => c.name)).toEqual(["mid", "far", "partner-ca"]);
    expect(r.stderr).toMatch(/the stack has \d+ errors? in its resources/);
  });
});

describe("certform list", () => {
  it("lists every object of every node with its owner, foreign ones included, and where each is", async () => {
    const [r, text, md] = await Promise.all([certform(["list", dir, "--format", "json"]), certform(["list", dir]), certform(["list", dir, "--format", "markdown"])]);
    expect(r.code, r.stderr).toBe(0);
    const report = ListReportSchema.parse(JSON.parse(r.stdout));
    const rows = report.objects.map((o) => [o.kind, o.name, o.owner, o.address, o.nodes.length, o.missingFrom.length]);
    expect(rows).toEqual([
      ["certificates", "far", "payments", "certificates.far[prod]", 2, 0],
      ["certificates", "legacy", null, null, 1, 1],
      ["certificates", "mid", "payments", "certificates.mid[prod]", 2, 0],
      ["trustedCertificates", "partners", "payments", "trustedCertificates.partner-ca[prod]", 2, 0],
      ["endpoints", "billing", "payments", "endpoints.billing[prod]", 2, 0],
      ["trustAssignments", "billing-backend", "payments", "trustAssignments.billing-backend[prod]", 2, 0],
      ["jwks", "partner-signing", "payments", "jwks.partner-signing[prod]", 2, 0],
    ]);
    const legacy = report.objects[1]!;
    expect(legacy).toMatchObject({ fingerprint: soon.certificate.fingerprint256, hosts: ["legacy.example.com"], nodes: [nodes[0]!.admin], missingFrom: [nodes[1]!.admin] });
    expect(report.objects[3]).toMatchObject({ fingerprint: ca.certificate.fingerprint256, notAfter: new Date(ca.certificate.validTo).toISOString() });
    expect(report.objects[4]!.detail).toBe("https://127.0.0.1:9/billing at /billing");
    expect(report.objects[5]!.detail).toBe("trusts partners for endpoint billing");
    expect(report.objects[6]!.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(report.environments[0]!.nodes.map((n) => n.revision)).toEqual([expect.any(Number), expect.any(Number)]);

    expect(text.code).toBe(0);
    const legacyLine = text.stdout.split("\n").find((l) => /^certificates\s+legacy\s/.test(l));
    expect(legacyLine).toMatch(/\(foreign\)/);
    expect(legacyLine).toContain(nodes[0]!.admin);
    expect(text.stdout).toMatch(/^certificates\s+mid\s+payments\s+certificates\.mid\[prod\]/m);
    expect(text.stdout).toMatch(/7 objects: 1 foreign, owned by payments\./);

    expect(md.code).toBe(0);
    expect(md.stdout).toContain("| kind | name | owner | address | fingerprint | hosts | not after | nodes | detail |");
    expect(md.stdout).toMatch(/\| certificates \| `legacy` \| _foreign_ \|/);
  });
});

describe("alerts.criticalBefore", () => {
  it("makes a certificate from a file inside it an error of validate and plan, at its certificate:, naming the file", async () => {
    writeStack("{ warnBefore: 30d, criticalBefore: 25d }");
    try {
      const [v, p] = await Promise.all([certform(["validate", dir, "--format", "json"]), certform(["plan", dir])]);
      expect(v.code).toBe(1);
      const errors = JSON.parse(v.stdout).errors.filter((e: { code: string }) => e.code === "expiring");
      const text = stackYaml("{ warnBefore: 30d, criticalBefore: 25d }");
      const pos = positionOf(text, "{ file: mid.pem }");
      expect(errors).toEqual([expect.objectContaining({ file: expect.stringMatching(/stack\.yaml$/), line: pos.line, column: pos.column, address: "certificates.mid[prod]" })]);
      expect(errors[0].message).toMatch(/\(20 days left\), inside alerts\.criticalBefore 25d; replace the file mid\.pem/);
      expect(p.code).toBe(1);
      expect(p.stdout).toMatch(/error\[expiring\] certificates\.mid\[prod\]: .*inside alerts\.criticalBefore 25d; replace the file mid\.pem/);
      expect(p.stdout).toContain("No plan");
    } finally {
      writeStack("{ warnBefore: 30d, criticalBefore: 7d }");
    }
  });

  it("inside warnBefore only, the plan warns and names the file to replace", async () => {
    const [p, md] = await Promise.all([certform(["plan", dir, "--format", "json"]), certform(["plan", dir, "--format", "markdown"])]);
    expect(p.code, p.stdout).toBe(0);
    const warnings = JSON.parse(p.stdout).warnings.filter((w: { code: string }) => w.code === "expiring");
    expect(warnings).toEqual([expect.objectContaining({ address: "certificates.mid[prod]", message: expect.stringMatching(/inside alerts\.warnBefore 30d; replace the file mid\.pem/) })]);
    expect(md.stdout).toMatch(/`expiring` `certificates\.mid\[prod\]`: .*replace the file mid\.pem/);
  });

  it("a generated certificate the plan keeps inside criticalBefore is an error at generate.renewBefore, unless the plan replaces it", async () => {
    const gen = (alerts: string, validity: string) => `apiVersion: certform/v1
kind: Stack
name: gen
environments:
  prod:
    gateway: { type: embedded, nodes: [${nodes.map((g) => JSON.stringify(g.admin)).join(", ")}] }
certificates:
  edge:
    generate: { hosts: ["edge.example.com"], validity: ${validity}, renewBefore: 5d }
alerts: ${alerts}
`;
    const genDir = writeStackDir({ "stack.yaml": gen("{ criticalBefore: 1d }", "10d") });
    const applied = await certform(["apply", genDir, "--auto-approve"]);
    expect(applied.code, applied.stdout).toBe(0);

    const critical = gen("{ warnBefore: 30d, criticalBefore: 12d }", "10d");
    writeFileSync(join(genDir, "stack.yaml"), critical);
    const [v, p, md] = await Promise.all([certform(["validate", genDir, "--format", "json"]), certform(["plan", genDir, "--format", "json"]), certform(["plan", genDir, "--format", "markdown"])]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).warnings.map((w: { code: string }) => w.code)).toEqual(["renew-after-critical"]);
    expect(p.code).toBe(1);
    const pos = positionOf(critical, "5d");
    expect(JSON.parse(p.stdout).errors).toEqual([
      expect.objectContaining({ code: "expiring", severity: "error", address: "certificates.edge[prod]", line: pos.line, column: pos.column, message: expect.stringMatching(/\(9 days left, inside alerts\.criticalBefore 12d\), and this plan keeps it/) }),
    ]);
    expect(md.code).toBe(1);
    expect(md.stdout).toMatch(/^### ❌ certform plan: no plan/);
    expect(md.stdout).toMatch(/\| error \| `.*stack\.yaml:\d+:\d+` \| `certificates\.edge\[prod\]` \| `expiring` \|/);

    // A new validity is a new certificate: the plan replaces the critical one, so it may run.
    writeFileSync(join(genDir, "stack.yaml"), gen("{ warnBefore: 30d, criticalBefore: 12d }", "30d"));
    const replaced = await certform(["plan", genDir, "--format", "json"]);
    expect(replaced.code, replaced.stdout).toBe(0);
    expect(JSON.parse(replaced.stdout).resource_changes.map((c: { action: string }) => c.action)).toEqual(["replace"]);
  });
});
