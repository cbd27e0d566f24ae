import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ValidateReportSchema } from "../src/model/validate-report.js";
import { certform, REPO } from "./support/cli.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { ENVIRONMENTS, HEADER, positionOf, writeStackDir } from "./support/stack.js";

// Every rule is checked the same way: `bad` breaks it, `legacy` breaks it too but is excepted, and the rule
// applies in prod only, so dev's copies of both pass.
interface RuleCase {
  rule: string;
  /** The rule's own parameters, one YAML line each. */
  params: string[];
  /** Sections declaring `bad` and `legacy` (and anything they need). */
  resources: string;
  files: Record<string, string>;
  /** The text at the offending value of `bad`. */
  at: string;
  address: string;
  words: string;
}

let cases: RuleCase[];

const pems = (name: string, cert: Issued, issuer?: Issued): Record<string, string> => ({
  [`${name}.pem`]: toPem(issuer ? [cert.certificate, issuer.certificate] : cert.certificate),
  [`${name}.key`]: cert.keyPem,
});
const served = (...names: string[]) => `certificates:\n${names.map((n) => `  ${n}: { certificate: { file: ${n}.pem }, key: { file: ${n}.key } }\n`).join("")}`;

beforeAll(async () => {
  const allowedCa = await makeCa({ subject: "CN=Payments Issuing CA, O=Example" });
  const otherCa = await makeCa({ subject: "CN=Somebody Else CA, O=Elsewhere" });
  // Two of each kind: `bad` and `legacy` serve different hosts, so that the policy is the only problem.
  const pair = async (opts: Parameters<typeof issue>[0]) => ({
    bad: await issue({ issuer: allowedCa, ...opts, hosts: ["api.example.com"] }),
    legacy: await issue({ issuer: allowedCa, ...opts, hosts: ["legacy.example.com"] }),
  });
  const both = (p: { bad: Issued; legacy: Issued }, issuer = allowedCa) => ({ ...pems("bad", p.bad, issuer), ...pems("legacy", p.legacy, issuer) });
  const rsa = await pair({ keyType: "rsa-2048" });
  const long = await pair({ validityDays: 800 });
  const short = await pair({ validityDays: 10 });
  const foreign = await pair({ issuer: otherCa });
  const sha1 = await pair({ signatureHash: "SHA-1" });
  const signer = await issue({ issuer: allowedCa, hosts: ["sign.example.com"] });
  cases = [
    { rule: "keyTypes", params: ["allow: [ec-p256, ec-p384]", "minRsaBits: 3072"], resources: served("bad", "legacy"), files: both(rsa), at: "{ file: bad.pem }", address: "certificates.bad", words: "its key is rsa-2048, which the policy does not allow" },
    { rule: "maxValidity", params: ["max: 398d"], resources: served("bad", "legacy"), files: both(long), at: "{ file: bad.pem }", address: "certificates.bad", words: "is valid for 800 days" },
    { rule: "minDaysLeftAtDeploy", params: ["days: 30"], resources: served("bad", "legacy"), files: both(short), at: "{ file: bad.pem }", address: "certificates.bad", words: "days left" },
    { rule: "issuers", params: [`allow: ["CN=Payments Issuing CA, O=Example", "${allowedCa.certificate.fingerprint256}"]`], resources: served("bad", "legacy"), files: both(foreign, otherCa), at: "{ file: bad.pem }", address: "certificates.bad", words: "no CA of its chain is allowed" },
    { rule: "hosts", params: [`allow: ["*.payments.example.com"]`], resources: `certificates:\n  bad: { generate: { hosts: ["a.payments.example.com", "admin.example.com"] } }\n  legacy: { generate: { hosts: ["old.example.com"] } }\n`, files: {}, at: `"admin.example.com"`, address: "certificates.bad", words: "host admin.example.com is outside what the policy allows in prod" },
    { rule: "wildcards", params: ["forbidden: true"], resources: `certificates:\n  bad: { generate: { hosts: ["*.payments.example.com"] } }\n  legacy: { generate: { hosts: ["*.old.example.com"] } }\n`, files: {}, at: `"*.payments.example.com"`, address: "certificates.bad", words: "is a wildcard, which the policy forbids" },
    { rule: "signatureAlgorithms", params: ["forbid: [sha1, md5]"], resources: served("bad", "legacy"), files: both(sha1), at: "{ file: bad.pem }", address: "certificates.bad", words: "which the policy forbids (sha1)" },
    {
      rule: "trust",
      params: ["allow: [payments-ca]"],
      resources: `trustedCertificates:\n  payments-ca: { certificate: { file: ok-ca.pem } }\n  other-ca: { certificate: { file: other-ca.pem } }\nendpoints:\n  ledger: { url: "https://ledger.internal:9443" }\n  billing: { url: "https://billing.internal:9443" }\ntrustAssignments:\n  ledger-ok: { certificate: payments-ca, endpoint: ledger }\n  bad: { certificate: other-ca, endpoint: billing }\n  legacy: { certificate: other-ca, endpoint: ledger }\n`,
      files: { "ok-ca.pem": allowedCa.pem, "other-ca.pem": otherCa.pem },
      at: "other-ca, endpoint: billing",
      address: "trustAssignments.bad",
      words: "endpoint billing would trust other-ca, which is not among the CAs the policy allows",
    },
    { rule: "jwks", params: ["allow: [ES256, ES384]"], resources: `${served("signer")}jwks:\n  bad: { certificate: signer, alg: RS512, kid: bad }\n  legacy: { certificate: rsa-signer }\n  ok: { certificate: signer }\ntrustedCertificates:\n  rsa-signer: { certificate: { file: rsa.pem } }\n`, files: { ...pems("signer", signer, allowedCa), "rsa.pem": rsa.legacy.pem }, at: "RS512", address: "jwks.bad", words: "the JWK is published with alg RS512" },
  ];
});

function stackText(c: RuleCase, extra = ""): string {
  return `${HEADER}${ENVIRONMENTS}${c.resources}policies:\n  rule-under-test:\n    rule: ${c.rule}\n${c.params.map((p) => `    ${p}\n`).join("")}    environments: [prod]\n    except:\n      - { address: ${c.address.replace(".bad", ".legacy")}, reason: "kept for the old card terminals" }\n${extra}`;
}

describe("validate with policies", () => {
  for (const name of ["keyTypes", "maxValidity", "minDaysLeftAtDeploy", "issuers", "hosts", "wildcards", "signatureAlgorithms", "trust", "jwks"]) {
    it(`${name}: reports a violation at the offending value, only in the rule's environments, and lists the exception with its reason`, async () => {
      const c = cases.find((x) => x.rule === name)!;
      const text = stackText(c);
      const dir = writeStackDir({ "stack.yaml": text, ...c.files });
      const r = await certform(["validate", "stack.yaml"], { cwd: dir });
      const { line, column } = positionOf(text, c.at);
      expect(r.stdout).toContain(`stack.yaml:${line}:${column}: error[policy-${name}] ${c.address}[prod]: policy rule-under-test: `);
      expect(r.stdout).toContain(c.words);
      expect(r.stdout).toMatch(/\n {2}hint: .*policies\.rule-under-test\.except/);
      // Scope: dev breaks the rule as well, but the rule is for prod only.
      expect(r.stdout).not.toMatch(new RegExp(`error\\[policy-${name}\\] [^ ]*\\[dev\\]`));
      // The excepted resource is no error; the exception is shown with its reason.
      expect(r.stdout).not.toMatch(new RegExp(`error\\[policy-${name}\\] [^ ]*legacy`));
      expect(r.stdout).toContain(`${c.address.replace(".bad", ".legacy")}[prod]: policy rule-under-test (${name}) excepted, reason: kept for the old card terminals`);
      expect(r.stdout).not.toContain("[dev]: policy rule-under-test");
      expect(r.stdout).toContain("Invalid: 1 error,");
      expect(r.code).toBe(1);
      const json = ValidateReportSchema.parse(JSON.parse((await certform(["validate", "stack.yaml", "--format", "json"], { cwd: dir })).stdout));
      expect(json.errors).toEqual([expect.objectContaining({ code: `policy-${name}`, address: `${c.address}[prod]`, line, column })]);
      expect(json.policy_exceptions).toEqual([expect.objectContaining({ policy: "rule-under-test", rule: name, address: `${c.address.replace(".bad", ".legacy")}[prod]`, reason: "kept for the old card terminals" })]);
    }, 120_000);
  }

  it("--format markdown lists the exceptions with their reasons after the findings, as plan's comment does", async () => {
    const c = cases.find((x) => x.rule === "keyTypes")!;
    const dir = writeStackDir({ "stack.yaml": stackText(c), ...c.files });
    const r = await certform(["validate", "stack.yaml", "--format", "markdown"], { cwd: dir });
    expect(r.stdout).toContain("### ❌ certform validate: stack payments");
    expect(r.stdout).toMatch(/\| error \| `stack\.yaml:\d+:\d+` \| `certificates\.bad\[prod\]` \| `policy-keyTypes` \|/);
    expect(r.stdout).toContain("#### Policy exceptions (1)");
    expect(r.stdout).toContain("- `certificates.legacy[prod]`: policy `rule-under-test` (`keyTypes`) excepted, **reason:** kept for the old card terminals");
    expect(r.stdout).toContain("finding: its key is rsa-2048");
    expect(r.code).toBe(1);
    // Without exceptions the comment is the table alone.
    const none = writeStackDir({ "stack.yaml": stackText(c).replace(/ {4}except:\n.*\n/, ""), ...c.files });
    const plain = await certform(["validate", "stack.yaml", "--format", "markdown"], { cwd: none });
    expect(plain.stdout).not.toContain("Policy exceptions");
    expect(plain.stdout).toContain("`certificates.legacy[prod]`");
  }, 120_000);

  it("a warning rule reports without failing; an except address that matches nothing is a warning", async () => {
    const c = cases.find((x) => x.rule === "keyTypes")!;
    const text = stackText(c).replace("environments: [prod]", "severity: warning").replace("address: certificates.legacy", "address: certificates.legasy");
    const dir = writeStackDir({ "stack.yaml": text, ...c.files });
    const r = await certform(["validate", "stack.yaml"], { cwd: dir });
    expect(r.stdout).toContain("warning[policy-keyTypes] certificates.bad[dev]");
    expect(r.stdout).toContain(`stack.yaml:${positionOf(text, "certificates.legasy").line}:${positionOf(text, "certificates.legasy").column}: warning[policy-except-unmatched] policies.rule-under-test: the exception for certificates.legasy matches no resource`);
    expect(r.stdout).toContain("Stack payments is valid");
    expect(r.code).toBe(0);
  }, 120_000);

  it("--policy FILE adds shared rules; the same name in the stack and the file is an error naming both files", async () => {
    const c = cases.find((x) => x.rule === "maxValidity")!;
    const shared = "policies:\n  short-lived: { rule: maxValidity, max: 398d }\n";
    const dir = writeStackDir({ "stack.yaml": `${HEADER}${ENVIRONMENTS}${c.resources}`, "team.yaml": shared, ...c.files });
    const r = await certform(["validate", "stack.yaml", "--policy", "team.yaml"], { cwd: dir });
    expect(r.stdout).toContain("error[policy-maxValidity] certificates.bad[dev]: policy short-lived:");
    expect(r.code).toBe(1);

    const twice = writeStackDir({ "stack.yaml": `${HEADER}${ENVIRONMENTS}${c.resources}policies:\n  short-lived: { rule: maxValidity, max: 800d }\n`, "team.yaml": shared, ...c.files });
    const d = await certform(["validate", "stack.yaml", "--policy", "team.yaml"], { cwd: twice });
    expect(d.stdout).toContain("team.yaml:2:3: error[policy-duplicate] policy short-lived is declared in team.yaml and in stack.yaml");
    expect(d.code).toBe(1);
  }, 120_000);

  it("an unknown rule or parameter is a positioned error", async () => {
    const text = `${HEADER}${ENVIRONMENTS}policies:\n  a: { rule: keyTypez, allow: [ec-p256] }\n  b: { rule: maxValidity, max: 398d, maximum: 1y }\n`;
    const dir = writeStackDir({ "stack.yaml": text });
    const r = await certform(["validate", "stack.yaml"], { cwd: dir });
    expect(r.stdout).toContain(`stack.yaml:${positionOf(text, "keyTypez").line}:${positionOf(text, "keyTypez").column}: error[invalid-value] policies.a.rule`);
    expect(r.stdout).toContain(`stack.yaml:${positionOf(text, "maximum").line}:${positionOf(text, "maximum").column}: error[unknown-key] unknown key "maximum" in policies.b`);
    expect(r.code).toBe(1);
  }, 120_000);

  it("a policy naming an undeclared environment is an error at the name", async () => {
    const text = `${HEADER}${ENVIRONMENTS}policies:\n  p: { rule: wildcards, environments: [prd] }\n`;
    const dir = writeStackDir({ "stack.yaml": text });
    const r = await certform(["validate", "stack.yaml"], { cwd: dir });
    expect(r.stdout).toContain(`stack.yaml:${positionOf(text, "prd").line}:${positionOf(text, "prd").column}: error[unknown-environment] policies.p: environment "prd" is not declared`);
    expect(r.stdout).toContain('hint: did you mean "prod"?');
    expect(r.code).toBe(1);
  }, 120_000);

  it("a TypeScript stack declares policies on its CertformStack, with the same findings and exceptions", async () => {
    const source = `import { App, CertformStack, Environment, ServerCertificate } from "certform";
const app = new App();
const stack = new CertformStack(app, "payments", {
  policies: {
    "no-wildcards": { rule: "wildcards", except: [{ address: "certificates.preview", reason: "review apps" }] },
  },
});
new Environment(stack, "dev", { gateway: { type: "embedded", nodes: ["http://127.0.0.1:8081"] } });
new ServerCertificate(stack, "api", { generate: { hosts: ["*.api.example.com"] } });
new ServerCertificate(stack, "preview", { generate: { hosts: ["*.preview.example.com"] } });
app.synth();
`;
    const dir = writeStackDir({ "package.json": '{ "type": "module" }\n', "main.ts": source });
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(REPO, join(dir, "node_modules", "certform"), "dir");
    const r = await certform(["validate", "main.ts"], { cwd: dir });
    expect(r.stdout).toContain("error[policy-wildcards] certificates.api[dev]: policy no-wildcards: host *.api.example.com is a wildcard");
    expect(r.stdout).toContain("certificates.preview[dev]: policy no-wildcards (wildcards) excepted, reason: review apps");
    expect(r.code).toBe(1);
  }, 120_000);
});
