import { describe, expect, it } from "vitest";
import { loadPlanFixture, renderCases } from "../../test/fixtures/render/fixtures.js";
import type { Plan } from "../model/plan.js";
import { palette } from "./palette.js";
import { renderPlanText } from "./plan-text.js";

const ESC = "\u001b[";
const plain = (plan: Plan) => renderPlanText(plan, palette(false));
const coloured = (plan: Plan) => renderPlanText(plan, palette(true));
const lastLine = (s: string) => s.trimEnd().split("\n").at(-1);

describe("renderPlanText", () => {
  it("colours through the palette only: codes with it on, none with it off", () => {
    for (const name of renderCases()) {
      const plan = loadPlanFixture(name);
      expect(plain(plan)).not.toContain("\u001b");
      expect(coloured(plan)).toContain(ESC);
    }
    const on = coloured(loadPlanFixture("every-action"));
    expect(on).toContain(`  ${ESC}32m+${ESC}39m ${ESC}1mcertificates.web[prod]${ESC}22m`);
    expect(on).toContain(`  ${ESC}33m~${ESC}39m ${ESC}1mendpoints.billing[prod]${ESC}22m`);
    expect(on).toContain(`  ${ESC}31m-${ESC}39m ${ESC}1mtrustedCertificates.old-partner-ca[prod]${ESC}22m`);
    expect(on).toContain(`${ESC}31m-${ESC}39m/${ESC}32m+${ESC}39m ${ESC}1mcertificates.api[prod]${ESC}22m`);
    expect(coloured(loadPlanFixture("warnings"))).toContain(`${ESC}33mwarning[trust-removed]${ESC}39m endpoints.billing[prod]: `);
  });

  it("ends with the summary line, or says there is nothing to do", () => {
    expect(lastLine(plain(loadPlanFixture("every-action")))).toBe("Plan: 1 to create, 2 to update, 1 to replace, 1 to delete.");
    expect(lastLine(plain(loadPlanFixture("no-changes")))).toBe("No changes. The gateways match the stack.");
    expect(lastLine(coloured(loadPlanFixture("no-changes")))).toBe("No changes. The gateways match the stack.");
  });

  it("lists no no-op, but counts them per environment", () => {
    const out = plain(loadPlanFixture("every-action"));
    expect(out).not.toContain("endpoints.payments[prod]");
    expect(out).not.toContain("trustedCertificates.billing-ca[prod]");
    expect(out).toContain("Environment prod (embedded): 1 to create, 2 to update, 1 to replace, 1 to delete, 2 unchanged\n  node http://127.0.0.1:8091 at revision 42\n");
  });

  it("shows a replaced certificate as a certificate: fingerprints, SANs added and removed, issuer, notAfter, key", () => {
    const plan = loadPlanFixture("every-action");
    const change = plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    const out = plain(plan);
    expect(out).toContain("  # certificates.api[prod] must be replaced: certificate content changed\n-/+ certificates.api[prod]\n");
    expect(out).toContain(`(new: ${change.after!.certificate!.fingerprint256})`);
    expect(out).toMatch(/~ fingerprint: +62:C2:71:E7…EC:E9:64 → 35:A8:4B:53…2C:67:83\n/);
    expect(out).toMatch(/\n {6}\+ SAN: +DNS:www\.example\.com\n/);
    expect(out).toMatch(/\n {6}- SAN: +DNS:old-api\.example\.com\n/);
    expect(out).toMatch(/\n {8}SAN: +DNS:api\.example\.com\n/);
    expect(out).toMatch(/~ issuer: +CN=Example Issuing CA R2, O=Example → CN=Example Issuing CA R3, O=Example\n/);
    expect(out).toMatch(/~ notAfter: +2025-12-08T23:59:59.000Z → 2026-11-19T23:59:59.000Z\n/);
    expect(out).toMatch(/~ key type: +RSA 2048 → EC P-256\n/);
    expect(out).toMatch(/~ key fingerprint: +60:13:38:0D…14:1D:38 → 5A:59:1A:32…57:67:0A\n/);
    expect(out).toMatch(/JWKs affected: +jwks\.api-signing\[prod\]\n/);
    expect(out).toContain("  # jwks.api-signing[prod] will be updated in place: because certificates.api[prod] is replaced\n");
  });

  it("shows settings as name: old → new, and every one of them for a create or a delete", () => {
    const out = plain(loadPlanFixture("every-action"));
    expect(out).toMatch(/~ url: +"https:\/\/billing-old\.internal:9443" → "https:\/\/billing\.internal:9443"\n/);
    expect(out).not.toMatch(/ path: +"\/billing"/); // unchanged on an update: not shown
    expect(out).toMatch(/\+ hosts: +\["web\.example\.com"\]\n/);
    expect(out).toMatch(/- alias: +"partner-ca-2019"\n/);
  });

  it("names the nodes of a change that goes to only some of them, and the drift", () => {
    const out = plain(loadPlanFixture("two-environments-drift"));
    expect(out).toMatch(/nodes: +http:\/\/127\.0\.0\.1:8092 only \(1 of 2 nodes\)\n/);
    expect(out).toMatch(/! drift: +node http:\/\/127\.0\.0\.1:8092 differs: missing\n/);
    expect(out).not.toMatch(/certificates\.api\[dev\][\s\S]*nodes:[\s\S]*Environment prod/); // dev has one node: all of them
  });

  it("says what a generated certificate will be once applied", () => {
    expect(plain(loadPlanFixture("warnings"))).toMatch(/~ fingerprint: +A8:C3:BE:22…69:66:19 → \(known after apply\)\n/);
  });

  it("cannot be driven by what a value holds: control characters are escaped", () => {
    const out = plain(loadPlanFixture("hostile-values"));
    expect(out).toContain(String.raw`"line one\nline two \u001b[31mred" → "line one\nline two \u001b[32mgreen"`);
    const plan = loadPlanFixture("hostile-values");
    plan.resource_changes[0]!.reasons = ["url changed\u001b[2J\rhidden"];
    expect(plain(plan)).toContain(String.raw`url changed\x1B[2J\x0Dhidden`);
    plan.resource_changes[0]!.reasons = ["admin\u202Egnp.exe"];
    expect(plain(plan)).toContain(String.raw`admin\u202egnp.exe`);
  });

  it("never shows PEM text, even where a setting holds some by mistake", () => {
    const plan = loadPlanFixture("hostile-values");
    const after = plan.resource_changes[0]!.after!;
    after.settings.url = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    after.settings.secret = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----";
    plan.resource_changes[0]!.reasons = ["key -----BEGIN EC PRIVATE KEY----- MHcCAQEE"];
    for (const out of [plain(plan), coloured(plan)]) {
      expect(out).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|MIGHAgEA|MHcCAQEE/);
      expect(out).toContain("(PEM text, not shown)");
    }
  });
});
