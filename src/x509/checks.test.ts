import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { daysAgo, daysFromNow, leaf, makeCa, makeIntermediate, makePki, tempDir, type Issued, type Pki } from "../../test/support/pki.js";
import { certificateWithSpki, curveSpki, dhSpki, unloadableSpki } from "../../test/support/odd-keys.js";
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
    expect(f).toMatchObject({ severity: "error", field: ["key"], at: "key" });
    expect(f.message).toMatch(/does not belong to the certificate CN=api\.example\.com/);
  });

  it("key-mismatch names the certificate the key belongs to", () => {
    const f = only(server({ chain: [pki.leaf, pki.intermediate], key: pki.intermediate }), "key-mismatch");
    expect(f.message).toMatch(/belongs to CN=certform Test Intermediate CA, O=certform tests \(position 2 of the chain\), not to the leaf CN=api\.example\.com/);
  });

  it("chain-order: intermediate before the leaf, with the fix spelled out", () => {
    const findings = server({ chain: [pki.intermediate, pki.leaf], key: pki.leaf });
    const f = only(findings, "chain-order");
    expect(f).toMatchObject({ severity: "error", field: ["certificate"] });
    expect(f.message).toMatch(/position 1 \(CN=certform Test Intermediate CA, O=certform tests\) and position 2 \(CN=api\.example\.com\)/);
    expect(f.message).toMatch(/the intermediate CN=certform Test Intermediate CA, O=certform tests comes before the leaf: put the leaf first/);
    expect(f.hint).toBe("put them in this order: CN=api.example.com → CN=certform Test Intermediate CA, O=certform tests");
  });

  it("chain-order that reordering fixes: the leaf checks look at the real leaf, so nothing cascades", () => {
    // Reversed chain, the leaf's key and a host the leaf covers: only the order is wrong.
    expect(codes(server({ chain: [pki.intermediate, pki.leaf], key: pki.leaf, hosts: ["api.example.com"] }))).toEqual(["chain-order"]);
    expect(codes(server({ chain: [pki.intermediate, pki.leaf, pki.root], key: pki.leaf, hosts: ["api.example.com"] }))).toEqual(["chain-order"]);
    // Real problems of the leaf are still found, on the leaf.
    const findings = server({ chain: [pki.intermediate, pki.leaf], hosts: ["www.example.com"] });
    expect(codes(findings)).toEqual(["chain-order", "host-not-covered"]);
    expect(only(findings, "host-not-covered").message).toMatch(/by the certificate CN=api\.example\.com/);
  });

  it("chain-order that reordering cannot fix, with a CA first: no leaf checks on the CA", async () => {
    const stranger = await leaf({ hosts: ["other.example.com"] });
    const findings = server({ chain: [pki.intermediate, stranger], key: stranger, hosts: ["api.example.com", "bad host"] });
    expect(codes(findings)).toEqual(["chain-order"]);
  });

  it("wildcard-public-suffix: a SAN such as *.co.uk or *.s3.amazonaws.com is refused and covers nothing", async () => {
    const broad = await leaf({ hosts: ["api.example.co.uk", "*.co.uk", "*.s3.amazonaws.com"], issuer: pki.intermediate });
    const findings = server({ chain: [broad, pki.intermediate], key: broad, hosts: ["api.example.co.uk", "shop.example.co.uk"] });
    expect(codes(findings)).toEqual(["wildcard-public-suffix", "wildcard-public-suffix", "host-not-covered"]);
    expect(findings[0]!.message).toMatch(/subjectAltName DNS:\*\.co\.uk: "co\.uk" is a public suffix/);
    expect(findings[1]!.message).toMatch(/DNS:\*\.s3\.amazonaws\.com: "s3\.amazonaws\.com" is a public suffix/);
    expect(findings[2]!.message).toMatch(/host "shop\.example\.co\.uk" is not covered/);
  });

  it("leaves an invalid host to the one syntax check where hosts are declared: no second wording", () => {
    const hosts = ["api.example.com", "bad host", "-x.example.com", "api.example.com\0", "api.example.com.", "api.*.example.com", "*.com"];
    expect(codes(server({ chain: [pki.leaf, pki.intermediate], key: pki.leaf, hosts }))).toEqual([]);
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
    expect(only(findings, "host-not-covered")).toMatchObject({ field: ["hosts"], at: "key" });
  });

  it("no-san: only DNS and IP subjectAltNames count (an email or URI SAN alone is no-san)", async () => {
    const dir = await tempDir();
    const pem = execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "k.pem"),
      "-subj", "/CN=mail.example.com", "-days", "30", "-addext", "subjectAltName=email:ops@example.com,URI:https://mail.example.com/",
    ], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const cert = new X509Certificate(pem);
    const findings = checkServerCertificate({ chain: [cert], now: now(), warnBeforeDays: 7 });
    expect(only(findings, "no-san").message).toBe(
      "the certificate CN=mail.example.com has no DNS or IP subjectAltName (only email:ops@example.com, URI:https://mail.example.com/); clients ignore the CN and will reject it for every host",
    );
  });

  it("host-not-covered points at the hosts: key and names the host and the SANs", () => {
    const f = only(server({ chain: [pki.leaf, pki.intermediate], hosts: ["api.example.com", "www.example.com"] }), "host-not-covered");
    expect(f).toMatchObject({ field: ["hosts"], at: "key" });
    expect(f.message).toBe('host "www.example.com" is not covered by the certificate CN=api.example.com (SANs: DNS:api.example.com, IP:10.0.0.1)');
  });

  it("wildcard certificates cover one label", async () => {
    const wild = await leaf({ hosts: ["*.example.com"], issuer: pki.intermediate });
    const findings = server({ chain: [wild, pki.intermediate], hosts: ["a.example.com", "a.b.example.com", "example.com"] });
    expect(findings.filter((f) => f.code === "host-not-covered").map((f) => f.message.split(" is ")[0])).toEqual(['host "a.b.example.com"', 'host "example.com"']);
  });

  it("IP SANs cover IP hosts", async () => {
    const ip = await leaf({ hosts: ["192.0.2.7", "::1"] });
    expect(codes(server({ chain: [ip], hosts: ["192.0.2.7", "::1"] }))).toEqual([]);
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

  it("says 1 day, not 1 days", async () => {
    const yesterday = await leaf({ notBefore: daysAgo(100), notAfter: daysAgo(1.5) });
    expect(only(server({ chain: [yesterday] }), "expired").message).toMatch(/\(1 day ago\)$/);
    const tomorrow = await leaf({ notAfter: daysFromNow(1.5) });
    expect(only(server({ chain: [tomorrow] }), "expiring").message).toMatch(/\(1 day left\)$/);
    const hours = await leaf({ notAfter: daysFromNow(0.5) });
    expect(only(server({ chain: [hours] }), "expiring").message).toMatch(/\(less than a day left\)$/);
  });

  it("expiring warns inside warnBeforeDays, with the date and days left", async () => {
    const soon = await leaf({ hosts: ["soon.example.com"], notAfter: daysFromNow(10.5) });
    const f = only(server({ chain: [soon], warnBeforeDays: 30 }), "expiring");
    expect(f.severity).toBe("warning");
    expect(f.message).toMatch(/CN=soon\.example\.com expires on \d{4}-\d\d-\d\d \(10 days left\)/);
    expect(codes(server({ chain: [soon], warnBeforeDays: 7 }))).not.toContain("expiring");
  });

  it("expiring is an error inside criticalBeforeDays (notAfter − now ≤ the window)", async () => {
    const soon = await leaf({ hosts: ["soon.example.com"], notAfter: daysFromNow(10.5) });
    const at = (criticalBeforeDays: number) => checkServerCertificate({ chain: [soon.certificate], now: now(), warnBeforeDays: 30, criticalBeforeDays }).filter((f) => f.code === "expiring");
    expect(at(12).map((f) => f.severity)).toEqual(["error"]);
    expect(at(10).map((f) => f.severity)).toEqual(["warning"]);
    expect(at(0).map((f) => f.severity)).toEqual(["warning"]);
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

  it("chain-incomplete warns when a leaf issued by a private CA comes alone", () => {
    const f = only(server({ chain: [pki.leaf] }), "chain-incomplete");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe("the chain stops at CN=api.example.com, issued by CN=certform Test Intermediate CA, O=certform tests, which clients may not have");
    expect(f.hint).toMatch(/append the intermediate/);
  });

  it("chain-incomplete stays silent for leaf + intermediate without the root (the normal private-PKI chain)", async () => {
    expect(codes(server({ chain: [pki.leaf, pki.intermediate] }))).toEqual([]);
    expect(codes(server({ chain: [pki.intermediate, pki.leaf] }))).toEqual(["chain-order"]);
    expect(codes(server({ chain: [await leaf({ hosts: ["self.example.com"] })] }))).toEqual([]);
  });

  it("pin-mismatch says both fingerprints; a pin may be lowercase or without colons", () => {
    const other = pki.root.certificate.fingerprint256;
    const f = only(server({ chain: [pki.leaf, pki.intermediate, pki.root], pin: other }), "pin-mismatch");
    expect(f.field).toEqual(["certificate", "sha256"]);
    expect(f.message).toContain(pki.leaf.certificate.fingerprint256);
    expect(f.message).toContain(other);
    const pin = pki.leaf.certificate.fingerprint256.replace(/:/g, "").toLowerCase();
    expect(codes(server({ chain: [pki.leaf, pki.intermediate, pki.root], pin }))).toEqual([]);
    const invalid = only(server({ chain: [pki.leaf, pki.intermediate, pki.root], pin: "AB:CD" }), "pin-invalid");
    expect(invalid.severity).toBe("error");
    expect(invalid.message).toBe("sha256 is not a SHA-256 fingerprint: it has 4 hex digits, not 64");
    expect(only(server({ chain: [pki.leaf], pin: "not a pin" }), "pin-invalid").message).not.toContain("not a pin");
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

describe("keys certform cannot use or size by the usual means", () => {
  const trusted = (cert: X509Certificate) => checkTrustedCertificate({ certificates: [cert], now: now(), warnBeforeDays: 0 });

  it("key-unsupported: a key OpenSSL cannot load is named by its OID, an error to serve, a warning to trust", async () => {
    const gost = certificateWithSpki(unloadableSpki("1.2.643.7.1.1.1.1"), { hosts: ["gost.example.com"] });
    const findings = checkServerCertificate({ chain: [gost], key: (await leaf()).key, hosts: ["gost.example.com"], now: now(), warnBeforeDays: 0 });
    const f = only(findings, "key-unsupported");
    expect(f).toMatchObject({ severity: "error", field: ["certificate"] });
    expect(f.message).toMatch(/CN=gost\.example\.com has a public key of GOST R 34\.10-2012 \(OID 1\.2\.643\.7\.1\.1\.1\.1\), which OpenSSL cannot load/);
    expect(codes(findings)).not.toContain("key-mismatch");
    const unknown = certificateWithSpki(unloadableSpki("1.3.6.1.4.1.55555.9"));
    expect(only(trusted(unknown), "key-unsupported")).toMatchObject({ severity: "warning", message: expect.stringMatching(/an unknown algorithm \(OID 1\.3\.6\.1\.4\.1\.55555\.9\)/) });
  });

  it("weak-key names the curve and its size; a 256-bit Brainpool key is not weak", () => {
    expect(only(trusted(certificateWithSpki(curveSpki("brainpoolP224r1"))), "weak-key").message).toMatch(/has a 224-bit EC key \(brainpoolP224r1\); clients may refuse keys under 256 bits/);
    expect(codes(trusted(certificateWithSpki(curveSpki("brainpoolP256r1"))))).toEqual([]);
    expect(codes(trusted(certificateWithSpki(curveSpki("secp256k1"))))).toEqual([]);
  });

  it("weak-key gives a DH key's size", () => {
    expect(only(trusted(certificateWithSpki(dhSpki("x942", "modp2"))), "weak-key").message).toMatch(/has a 1024-bit DH key; clients may refuse keys under 2048 bits/);
    expect(codes(trusted(certificateWithSpki(dhSpki("pkcs3", "modp14"))))).toEqual([]);
  });
});
