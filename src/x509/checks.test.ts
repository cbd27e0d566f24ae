import { beforeAll, describe, expect, it } from "vitest";
import { daysAgo, daysFromNow, leaf, makeCa, makeIntermediate, makePki, type Issued, type Pki } from "../../test/support/pki.js";
import { checkServerCertificate, checkTrustedCertificate, type Finding } from "./checks.js";

let pki: Pki;
beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com", "10.0.0.1"] });
});

const now = (): Date => new Date();
const codes = (findings: Finding[]): string[] => findings.map((f) => f.code);
const only = (findings: Finding[], code: string): Finding => {
  const hits = findings.filter((f) => f.code === code);
  expect(hits, `expected exactly one ${code} in ${JSON.stringify(findings, null, 1)}`).toHaveLength(1);
  return hits[0]!;
};

function server(input: { chain: Issued[] | Pki["chain"]; key?: Issued; hosts?: string[]; pin?: string; warnBeforeDays?: number }): Finding[] {
  const chain = input.chain.map((c) => ("certificate" in c ? c.certificate : c));
  return checkServerCertificate({
    chain,
    key: input.key?.key,
    hosts: input.hosts,
    now: now(),
    warnBeforeDays: input.warnBeforeDays ?? 30,
    pinSha256: input.pin,
  });
}

describe("checkServerCertificate", () => {
  it("finds nothing wrong with a good chain, key and hosts", () => {
    const findings = server({ chain: [pki.leaf, pki.intermediate, pki.root], key: pki.leaf, hosts: ["api.example.com", "10.0.0.1"] });
    expect(findings).toEqual([]);
  });

  it("key-mismatch: the key does not belong to the leaf", async () => {
    const other = await leaf({ hosts: ["api.example.com"] });
    const f = only(server({ chain: [pki.leaf, pki.intermediate], key: other }), "key-mismatch");
    expect(f).toMatchObject({ severity: "error", field: ["key"] });
    expect(f.message).toMatch(/does not belong to the certificate CN=api\.example\.com/);
  });

  it("chain-order: intermediate before the leaf, with the fix spelled out", () => {
    const findings = server({ chain: [pki.intermediate, pki.leaf], key: pki.leaf });
    const f = only(findings, "chain-order");
    expect(f).toMatchObject({ severity: "error", field: ["certificate"] });
    expect(f.message).toMatch(/position 1 \(CN=certform Test Intermediate CA, O=certform tests\) and position 2 \(CN=api\.example\.com\)/);
    expect(f.message).toMatch(/the intermediate CN=certform Test Intermediate CA, O=certform tests comes before the leaf: put the leaf first/);
    expect(f.hint).toBe("put them in this order: CN=api.example.com → CN=certform Test Intermediate CA, O=certform tests");
    // The key belongs to the second certificate, which key-mismatch says too.
    expect(only(findings, "key-mismatch").message).toMatch(/position 2 of the chain/);
  });

  it("chain-order: root before intermediate", () => {
    const f = only(server({ chain: [pki.leaf, pki.root, pki.intermediate] }), "chain-order");
    expect(f.message).toMatch(/breaks between position 1 \(CN=api\.example\.com\) and position 2 \(CN=certform Test Root CA/);
    expect(f.message).toMatch(/do form a chain in another order/);
  });

  it("chain-order: a missing intermediate cannot be fixed by reordering", () => {
    const f = only(server({ chain: [pki.leaf, pki.root] }), "chain-order");
    expect(f.message).toMatch(/issuer name does not match/);
    expect(f.hint).toMatch(/remove certificates that do not belong/);
  });

  it("chain-order: same names but a different signer", async () => {
    const impostor = await makeIntermediate(pki.root); // same subject, different key
    const f = only(server({ chain: [pki.leaf, impostor] }), "chain-order");
    expect(f.message).toMatch(/signature does not verify/);
  });

  it("no-san: a CN-only certificate", async () => {
    const cnOnly = await leaf({ hosts: ["legacy.example.com"], noSan: true });
    const findings = server({ chain: [cnOnly], hosts: ["legacy.example.com"] });
    expect(only(findings, "no-san").message).toMatch(/CN=legacy\.example\.com has no subjectAltName/);
    expect(only(findings, "host-not-covered").field).toEqual(["hosts", 0]);
  });

  it("host-not-covered names the host, its index and the SANs", () => {
    const f = only(server({ chain: [pki.leaf, pki.intermediate], hosts: ["api.example.com", "www.example.com"] }), "host-not-covered");
    expect(f.field).toEqual(["hosts", 1]);
    expect(f.message).toBe("host www.example.com is not covered by the certificate CN=api.example.com (SANs: DNS:api.example.com, IP:10.0.0.1)");
  });

  it("wildcard certificates cover one label", async () => {
    const wild = await leaf({ hosts: ["*.example.com"], issuer: pki.intermediate });
    const findings = server({ chain: [wild, pki.intermediate], hosts: ["a.example.com", "a.b.example.com", "example.com"] });
    expect(findings.filter((f) => f.code === "host-not-covered").map((f) => f.field)).toEqual([["hosts", 1], ["hosts", 2]]);
  });

  it("IP SANs cover IP hosts", async () => {
    const ip = await leaf({ hosts: ["192.0.2.7", "::1"] });
    expect(codes(server({ chain: [ip], hosts: ["192.0.2.7", "::1"] }))).toEqual([]);
  });

  it("host-invalid: a NUL in a host is an error, never cleaned", () => {
    const f = only(server({ chain: [pki.leaf, pki.intermediate], hosts: ["api.example.com\0"] }), "host-invalid");
    expect(f).toMatchObject({ severity: "error", field: ["hosts", 0] });
    expect(f.message).toMatch(/U\+0000/);
  });

  it("expired is an error, naming the date", async () => {
    const old = await leaf({ hosts: ["old.example.com"], notBefore: daysAgo(100), notAfter: daysAgo(3.5) });
    const f = only(server({ chain: [old] }), "expired");
    expect(f.severity).toBe("error");
    expect(f.message).toMatch(new RegExp(`CN=old\\.example\\.com expired on ${daysAgo(3.5).toISOString().slice(0, 10)} \\(3 days ago\\)`));
  });

  it("an expired intermediate is an error too", async () => {
    const root = await makeCa();
    const inter = await makeIntermediate(root, { notBefore: daysAgo(400), notAfter: daysAgo(1) });
    const l = await leaf({ issuer: inter });
    expect(only(server({ chain: [l, inter, root] }), "expired").message).toMatch(/certificate 2 of the chain/);
  });

  it("not-yet-valid is a warning", async () => {
    const future = await leaf({ notBefore: daysFromNow(2), notAfter: daysFromNow(100) });
    expect(only(server({ chain: [future] }), "not-yet-valid").severity).toBe("warning");
  });

  it("expiring warns inside warnBeforeDays, with the date and days left", async () => {
    const soon = await leaf({ hosts: ["soon.example.com"], notAfter: daysFromNow(10.5) });
    const f = only(server({ chain: [soon], warnBeforeDays: 30 }), "expiring");
    expect(f.severity).toBe("warning");
    expect(f.message).toMatch(/CN=soon\.example\.com expires on \d{4}-\d\d-\d\d \(10 days left\)/);
    expect(codes(server({ chain: [soon], warnBeforeDays: 7 }))).not.toContain("expiring");
  });

  it("weak-key warns on RSA under 2048 bits", async () => {
    const weak = await leaf({ keyType: "rsa-1024" });
    const f = only(server({ chain: [weak], key: weak }), "weak-key");
    expect(f.severity).toBe("warning");
    expect(f.message).toMatch(/1024-bit RSA key/);
  });

  it("sha1-signature warns on SHA-1-signed certificates but not on self-signed roots", async () => {
    const root = await makeCa({ keyType: "rsa-2048", signatureHash: "SHA-1" });
    const l = await leaf({ issuer: root, signatureHash: "SHA-1" });
    const findings = server({ chain: [l, root] });
    const f = only(findings, "sha1-signature");
    expect(f.message).toMatch(/the leaf CN=localhost is signed with SHA-1 \(sha1WithRSAEncryption\)/);
    const ecdsa = await leaf({ signatureHash: "SHA-1", issuer: pki.intermediate });
    expect(only(server({ chain: [ecdsa, pki.intermediate, pki.root] }), "sha1-signature").message).toMatch(/ecdsa-with-SHA1/);
  });

  it("chain-incomplete warns when the chain stops short of a root clients know", () => {
    const f = only(server({ chain: [pki.leaf] }), "chain-incomplete");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("the chain stops at CN=api.example.com, issued by CN=certform Test Intermediate CA, O=certform tests, which clients may not have");
    expect(f.hint).toMatch(/append the intermediate/);
    expect(only(server({ chain: [pki.leaf, pki.intermediate] }), "chain-incomplete").message).toMatch(/stops at CN=certform Test Intermediate CA/);
  });

  it("pin-mismatch says both fingerprints; a pin may be lowercase or without colons", () => {
    const other = pki.root.certificate.fingerprint256;
    const f = only(server({ chain: [pki.leaf, pki.intermediate, pki.root], pin: other }), "pin-mismatch");
    expect(f.field).toEqual(["certificate", "sha256"]);
    expect(f.message).toContain(pki.leaf.certificate.fingerprint256);
    expect(f.message).toContain(other);
    const pin = pki.leaf.certificate.fingerprint256.replace(/:/g, "").toLowerCase();
    expect(codes(server({ chain: [pki.leaf, pki.intermediate, pki.root], pin }))).toEqual([]);
    expect(only(server({ chain: [pki.leaf, pki.intermediate, pki.root], pin: "AB:CD" }), "pin-invalid").severity).toBe("error");
  });
});

describe("checkTrustedCertificate", () => {
  it("finds nothing wrong with a valid root, and never reports chain-incomplete", () => {
    expect(checkTrustedCertificate({ certificates: [pki.root.certificate], now: now(), warnBeforeDays: 30 })).toEqual([]);
    expect(checkTrustedCertificate({ certificates: [pki.intermediate.certificate], now: now(), warnBeforeDays: 30 })).toEqual([]);
  });

  it("reports expired, not-yet-valid, expiring, weak-key, sha1-signature and pin-mismatch", async () => {
    const expired = await makeCa({ notBefore: daysAgo(30), notAfter: daysAgo(1) });
    const future = await makeCa({ notBefore: daysFromNow(1), notAfter: daysFromNow(300) });
    const soon = await makeCa({ validityDays: 5 });
    const weak = await makeCa({ keyType: "rsa-1024" });
    const sha1 = await makeIntermediate(weak, { signatureHash: "SHA-1" });
    const check = (c: Issued, pin?: string): string[] =>
      codes(checkTrustedCertificate({ certificates: [c.certificate], now: now(), warnBeforeDays: 30, pinSha256: pin }));
    expect(check(expired)).toEqual(["expired"]);
    expect(check(future)).toEqual(["not-yet-valid"]);
    expect(check(soon)).toEqual(["expiring"]);
    expect(check(weak)).toEqual(["weak-key"]);
    expect(check(sha1)).toEqual(["sha1-signature"]);
    expect(check(pki.root, pki.leaf.certificate.fingerprint256)).toEqual(["pin-mismatch"]);
    expect(check(pki.root, pki.root.certificate.fingerprint256)).toEqual([]);
  });
});
