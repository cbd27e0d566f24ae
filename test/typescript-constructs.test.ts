import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { App, CertformStack, Construct, Endpoint, ENVIRONMENT, envRef, Environment, Jwk, ServerCertificate, TrustAssignment, TrustedCertificate, varRef } from "../src/constructs/index.js";
import { readConstructStack } from "../src/stack/typescript/walk.js";
import { REPO } from "./support/cli.js";

const gateway = { type: "embedded", nodes: ["http://127.0.0.1:8081"] } as const;
// A cdktf App creates its output directory at once; these tests never synthesize.
const OUTDIR = mkdtempSync(join(tmpdir(), "certform-constructs-"));

describe("certform constructs", () => {
  it("read into the stack value a YAML file would hold: names, references as names, defaults applied", () => {
    const stack = new CertformStack(new App({ outdir: OUTDIR }), "payments", { variables: { host: { default: `api.${ENVIRONMENT}.example.com` } }, alerts: { warnBefore: "20d" } });
    const dev = new Environment(stack, "dev", { gateway: { ...gateway, token: envRef("DEV_TOKEN") } });
    const api = new ServerCertificate(stack, "api", { environments: [dev], generate: { hosts: [varRef("host")] } });
    const ca = new TrustedCertificate(stack, "billing-ca", { certificate: { url: "https://127.0.0.1:9443", select: "root" } });
    const billing = new Endpoint(new Construct(stack, "group"), "billing-endpoint", { name: "billing", url: "https://billing.internal" });
    new TrustAssignment(stack, "billing-backend", { certificate: ca, endpoint: billing });
    new TrustAssignment(stack, "by-name", { certificate: "billing-ca", scope: "management" });
    new TrustAssignment(stack, "billing-clients", { certificate: ca, scope: "clients", endpoint: billing, hosts: ["api.example.com"] });
    new Jwk(stack, "signing", { certificate: api });
    expect(billing.address).toBe("endpoints.billing");

    const { loaded, diagnostics } = readConstructStack(stack);
    expect(diagnostics).toEqual([]);
    expect(loaded!.stack).toEqual({
      apiVersion: "certform/v1",
      kind: "Stack",
      name: "payments",
      variables: { host: { default: "api.${environment}.example.com" } },
      environments: { dev: { gateway: { type: "embedded", nodes: ["http://127.0.0.1:8081"], token: "${env:DEV_TOKEN}", timeout: "10s" } } },
      certificates: { api: { environments: ["dev"], generate: { hosts: ["${var:host}"], keyType: "ec-p256", validity: "90d", renewBefore: "30d" }, default: false, protect: false } },
      trustedCertificates: { "billing-ca": { certificate: { url: "https://127.0.0.1:9443", select: "root" }, protect: false } },
      endpoints: { billing: { url: "https://billing.internal", protect: false } },
      trustAssignments: {
        "billing-backend": { certificate: "billing-ca", endpoint: "billing" },
        "by-name": { certificate: "billing-ca", scope: "management" },
        "billing-clients": { certificate: "billing-ca", scope: "clients", endpoint: "billing", hosts: ["api.example.com"] },
      },
      jwks: { signing: { certificate: "api", use: "sig", onCertificateChange: "update", onCertificateDelete: "delete" } },
      alerts: { warnBefore: "20d", criticalBefore: "7d" },
    });
    expect(loaded!.origins.get("endpoints.billing")!.src).toMatchObject({ constructPath: "payments/group/billing-endpoint", file: relative(process.cwd(), join(REPO, "test", "typescript-constructs.test.ts")) });
  });

  it("props are the model's types: a wrong prop is a compile error, and still refused at run time", () => {
    const app = new App({ outdir: OUTDIR });
    const stack = new CertformStack(app, "payments");
    const other = new CertformStack(app, "other");
    const foreign = new Environment(other, "prod", { gateway });
    const billing = new Endpoint(stack, "billing", { url: "https://billing.internal" });
    new Environment(stack, "dev", { gateway });
    // @ts-expect-error a number is not a URL
    new Endpoint(stack, "bad-url", { url: 443 });
    // @ts-expect-error not a scope
    new TrustAssignment(stack, "bad-scope", { certificate: "ca", scope: "everything" });
    // @ts-expect-error an Endpoint is not a TrustedCertificate
    new TrustAssignment(stack, "wrong-kind", { certificate: billing, endpoint: billing });
    new ServerCertificate(stack, "foreign", { environments: [foreign], generate: { hosts: ["a.example.com"] } });
    // @ts-expect-error a key is never inline
    new ServerCertificate(stack, "inline-key", { certificate: { file: "a.pem" }, key: { pem: "…" } });

    const { diagnostics } = readConstructStack(stack);
    expect(diagnostics.map((d) => [d.code, d.address])).toEqual([
      ["reference-wrong-kind", "trustAssignments.wrong-kind"],
      ["reference-other-stack", "certificates.foreign"],
      ["key-inline", "certificates.inline-key"],
      ["wrong-type", "endpoints.bad-url"],
      ["invalid-value", "trustAssignments.bad-scope"],
    ]);
    expect(diagnostics[0]!.message).toBe("trustAssignments.wrong-kind: certificate is the Endpoint payments/billing; it takes a TrustedCertificate (construct payments/wrong-kind)");
    for (const d of diagnostics) expect(d.message).toContain(`(construct payments/${d.address!.split(".")[1]})`);
  });

  it("cdktf is imported by src/constructs/cdktf.ts alone", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.[cm]?[jt]s$/.test(name) && /(from\s+|import\(\s*|require\(\s*)["'](cdktf|@cdktf\/[^"']+)["']/.test(readFileSync(path, "utf8"))) offenders.push(relative(REPO, path));
      }
    };
    for (const dir of ["src", "bin", "scripts", "examples"]) walk(join(REPO, dir));
    expect(offenders).toEqual([join("src", "constructs", "cdktf.ts")]);
  });
});
